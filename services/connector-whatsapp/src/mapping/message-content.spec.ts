import { describe, expect, it } from '@jest/globals';
import { CTX, SELF, SELF_IDENTITIES, dataOf, eventOf, mapFixture } from './test-kit';

describe('wrappers: the content inside is what is published', () => {
  const items = mapFixture('upsert-wrappers.json');

  it('unwraps view-once v1, v2 and the v2 extension, flagging each view-once', () => {
    expect(dataOf(items.get('3EB0VO1IMAGE01'))).toMatchObject({
      text: 'kargo etiketi',
      flags: { viewOnce: true },
      attachments: [
        {
          kind: 'image',
          mimeType: 'image/jpeg',
          size: 53122,
          caption: 'kargo etiketi',
          providerMediaId: '/v/t62.7118-24/vo1.enc',
        },
      ],
    });
    expect(dataOf(items.get('3EB0VO2VIDEO02'))).toMatchObject({
      flags: { viewOnce: true },
      attachments: [{ kind: 'video', size: 880211 }],
    });
    expect(dataOf(items.get('3EB0VO2XVOICE3'))).toMatchObject({
      flags: { viewOnce: true },
      attachments: [{ kind: 'voice', size: 6144 }],
    });
    expect(items.get('3EB0VO1IMAGE01')).toMatchObject({ mediaIndexes: [0] });
  });

  it('unwraps ephemeral text with its reply and forward marks', () => {
    const data = dataOf(items.get('3EB0EPHEMERAL4'));
    expect(data).toMatchObject({
      text: 'Kaybolan mesaj: siparişim 48 saattir gelmedi',
      replyTo: { externalId: '3EB0OURS0009' },
      flags: { forwarded: true },
    });
    expect(data.flags).not.toHaveProperty('viewOnce');
  });

  it('reads a bare Baileys MESSAGE_EDIT as an edit of the target, keyed by the edit time', () => {
    const event = eventOf(mapFixture('upsert-wrappers.json', { ...CTX, self: SELF }).get('3EB0BAILEYSEDIT5'));
    expect(event.type).toBe('kanal.message.edited.v1');
    expect(event.data).toMatchObject({
      externalId: '3EB0FROMME005',
      target: { externalId: '3EB0FROMME005' },
      text: 'Merhaba, hemen yardımcı olalım',
      occurredAt: '2026-01-01T00:05:39.000Z',
      direction: 'outbound',
      sender: { identities: SELF_IDENTITIES },
    });
  });

  it('reads a phone-wrapped caption edit as the new caption', () => {
    expect(eventOf(items.get('3EB0EDITCAPT06')).data).toMatchObject({
      target: { externalId: '3EB0DOCCAP010' },
      text: 'Faturam ektedir (güncel)',
    });
  });

  it('unwraps a document-with-caption inside an ephemeral wrapper', () => {
    expect(dataOf(items.get('3EB0DOCCAPEPH7'))).toMatchObject({
      text: 'İade formu',
      replyTo: { externalId: '3EB0OURS0010' },
      attachments: [{ kind: 'document', name: 'iade-formu.pdf', size: 20480, caption: 'İade formu' }],
    });
  });
});

describe('rich content', () => {
  const items = mapFixture('upsert-rich-content.json');

  it('publishes polls v1, v2 and v3 with the question and options as text', () => {
    expect(dataOf(items.get('3EB0POLLV1001'))).toMatchObject({
      text: 'Teslimat günü?\n• Cuma\n• Cumartesi',
      flags: { poll: true },
    });
    expect(dataOf(items.get('3EB0POLLV2002')).text).toBe('Renk?\n• Mavi\n• Yeşil');
    const v3 = eventOf(items.get('3EB0POLLV3003'));
    expect(v3).toMatchObject({
      type: 'kanal.message.sent.v1',
      data: { text: 'Sorununuz çözüldü mü?\n• Evet\n• Hayır', flags: { poll: true } },
    });
  });

  it('maps stickers, animated stickers and video notes as media to download', () => {
    expect(dataOf(items.get('3EB0STICKER04')).attachments).toEqual([
      {
        kind: 'sticker',
        mimeType: 'image/webp',
        size: 22136,
        sha256: Buffer.from('n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', 'base64').toString('hex'),
        providerMediaId: '/v/t62.15575-24/st.enc',
      },
    ]);
    expect(items.get('3EB0LOTTIE005')).toMatchObject({
      kind: 'event',
      mediaIndexes: [0],
      event: { data: { attachments: [{ kind: 'sticker', mimeType: 'application/was' }] } },
    });
    expect(dataOf(items.get('3EB0PTVNOTE12')).attachments).toEqual([
      { kind: 'video', mimeType: 'video/mp4', size: 500000, providerMediaId: '/v/t62.7161-24/ptv.enc' },
    ]);
  });

  it('maps a live location with its caption and flag', () => {
    expect(dataOf(items.get('3EB0LIVELOC06'))).toMatchObject({
      text: 'Kuryeyi burada bekliyorum',
      attachments: [{ kind: 'location', latitude: 41.0422, longitude: 29.0083 }],
      replyTo: { externalId: '3EB0OURS0011' },
      flags: { liveLocation: true },
    });
  });

  it('maps every card of a contacts array', () => {
    expect(dataOf(items.get('3EB0CONTACTS7')).attachments).toEqual([
      { kind: 'contact', contact: { displayName: 'Ali Veli', phones: ['+905339998877'] } },
      { kind: 'contact', contact: { displayName: 'Depo', phones: ['0212 555 00 11'], emails: ['depo@example.com'] } },
    ]);
  });

  it('maps template button and native-flow replies to interactive', () => {
    expect(dataOf(items.get('3EB0TPLREPLY8'))).toMatchObject({
      text: 'Siparişimi takip et',
      interactive: { id: 'track-order', title: 'Siparişimi takip et' },
      replyTo: { externalId: '3EB0OURS0012' },
    });
    expect(dataOf(items.get('3EB0FLOWREPL9'))).toMatchObject({
      interactive: { id: 'addr-42', title: 'Adres güncellendi' },
    });
  });

  it('keeps the visible text and header media of buttons and template messages', () => {
    expect(eventOf(items.get('3EB0BUTTONS10'))).toMatchObject({
      type: 'kanal.message.sent.v1',
      data: { text: 'Nasıl yardımcı olabiliriz?', attachments: [] },
    });
    expect(dataOf(items.get('3EB0TEMPLATE11'))).toMatchObject({
      text: 'Sipariş #1042\nSiparişiniz yola çıktı.',
      attachments: [{ kind: 'image', size: 12000, providerMediaId: '/v/t62.7118-24/tpl.enc' }],
    });
  });

  it('keeps content this Baileys build cannot decode as a placeholder (a message with only messageContextInfo)', () => {
    expect(dataOf(items.get('3EB0CTXONLY13'))).toMatchObject({
      flags: { unsupported: true },
      attachments: [{ kind: 'unsupported' }],
    });
    expect(dataOf(items.get('3EB0EVENT0014'))).toMatchObject({
      flags: { unsupported: true },
      attachments: [{ kind: 'unsupported', title: 'eventMessage' }],
    });
  });

  it('publishes a missed call as a placeholder: the customer tried to reach us', () => {
    const call = mapFixture('upsert-rich-content.json', { ...CTX, self: SELF }).get('F0C2B1A9D8E7C6B5A4F3E2D1C0B9A8F7');
    expect(eventOf(call)).toMatchObject({
      type: 'kanal.message.received.v1',
      data: {
        occurredAt: '2026-01-01T00:09:00.000Z',
        sender: { identities: [{ type: 'whatsapp-lid', value: '111122223333444@lid' }] },
        recipient: { identities: SELF_IDENTITIES },
        attachments: [{ kind: 'unsupported', title: 'missed-call' }],
        flags: { missedCall: true, unsupported: true },
      },
    });
  });
});
