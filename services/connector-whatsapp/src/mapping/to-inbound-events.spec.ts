import { describe, expect, it } from '@jest/globals';
import { inboundEventId, type MessageData } from '@kanal/contracts';
import { CTX as ctx, SELF, SELF_IDENTITIES, dataOf, eventOf, mapFixture as mapAll } from './test-kit';

describe('toInboundEvent: messages', () => {
  const dm = mapAll('upsert-notify-dm.json');

  it('maps a conversation text from a PN JID with the phone, name and provider time', () => {
    const event = eventOf(dm.get('3EB0TEXT0001'));
    expect(event.type).toBe('kanal.message.received.v1');
    expect(event.id).toBe(inboundEventId('whatsapp', 'shop-tr', '3EB0TEXT0001'));
    expect(event.subject).toBe('whatsapp:shop-tr:905321234567@s.whatsapp.net');
    expect(event.data).toMatchObject({
      direction: 'inbound',
      text: 'Siparişim nerede? İade istiyorum 🙏',
      occurredAt: '2026-01-01T00:00:00.000Z',
      sender: { displayName: 'Ayşe Yılmaz', identities: [{ type: 'phone', value: '+905321234567' }] },
    });
  });

  it('carries both LID and the phone from remoteJidAlt, and the quoted message as replyTo', () => {
    expect(dataOf(dm.get('3EB0REPLY0002'))).toMatchObject({
      text: 'Evet, bu sipariş',
      replyTo: { externalId: '3EB0OURS0001' },
      sender: {
        identities: [
          { type: 'phone', value: '+905551112233' },
          { type: 'whatsapp-lid', value: '123456789012345@lid' },
        ],
      },
    });
  });

  it('reads the 6.x senderPn field and string timestamps', () => {
    const data = dataOf(dm.get('3EB0SIXX0003'));
    expect(data.sender.identities).toEqual([
      { type: 'phone', value: '+905301234567' },
      { type: 'whatsapp-lid', value: '998877665544332@lid' },
    ]);
    expect(data.occurredAt).toBe('2026-01-01T00:01:40.000Z');
  });

  it('keeps a bare LID as the only identity and never invents a phone from it', () => {
    expect(dataOf(dm.get('3EB0LIDONLY04')).sender.identities).toEqual([
      { type: 'whatsapp-lid', value: '111122223333444@lid' },
    ]);
  });

  it('uses the LID mapping store when the key has no PN', () => {
    const withStore = mapAll('upsert-notify-dm.json', {
      ...ctx,
      lidToPn: (lid) => (lid === '111122223333444@lid' ? '905387654321@s.whatsapp.net' : undefined),
    });
    expect(dataOf(withStore.get('3EB0LIDONLY04')).sender.identities).toEqual([
      { type: 'phone', value: '+905387654321' },
      { type: 'whatsapp-lid', value: '111122223333444@lid' },
    ]);
  });

  it('turns fromMe into an outbound echo from the business to the customer', () => {
    const event = eventOf(mapAll('upsert-notify-dm.json', { ...ctx, self: SELF }).get('3EB0FROMME005'));
    expect(event.type).toBe('kanal.message.sent.v1');
    expect(event.data).toMatchObject({
      direction: 'outbound',
      sender: { identities: SELF_IDENTITIES },
      recipient: { identities: [{ type: 'phone', value: '+905321234567' }] },
    });
    // pushName on our own message is the business's profile name, never the customer's.
    expect((event.data as MessageData).sender.displayName).toBeUndefined();
    expect((event.data as MessageData).recipient!.displayName).toBeUndefined();
  });

  it('names the business as the recipient of every inbound message once the session knows its account', () => {
    expect(dataOf(mapAll('upsert-notify-dm.json', { ...ctx, self: SELF }).get('3EB0TEXT0001')).recipient).toEqual({
      identities: SELF_IDENTITIES,
    });
    expect(dataOf(dm.get('3EB0TEXT0001')).recipient).toBeUndefined();
  });

  it('maps location and contact cards (waid number, email) as attachments', () => {
    expect(dataOf(dm.get('3EB0LOCATION6')).attachments).toEqual([
      { kind: 'location', latitude: 41.0082, longitude: 28.9784, title: 'Sultanahmet', address: 'Fatih, İstanbul' },
    ]);
    expect(dataOf(dm.get('3EB0CONTACT07')).attachments).toEqual([
      {
        kind: 'contact',
        contact: { displayName: 'Kargo Şube', phones: ['+905429998877'], emails: ['sube@example.com'] },
      },
    ]);
  });

  it('maps button and list responses to interactive', () => {
    expect(dataOf(dm.get('3EB0BUTTON008'))).toMatchObject({
      interactive: { id: 'refund', title: 'İade' },
      replyTo: { externalId: '3EB0OURS0002' },
    });
    expect(dataOf(dm.get('3EB0LISTRE009')).interactive).toEqual({ id: 'row-tracking', title: 'Kargo takibi' });
  });

  it('unwraps document-with-caption: caption as text, media described for download', () => {
    const result = dm.get('3EB0DOCCAP010');
    expect(dataOf(result)).toMatchObject({
      text: 'Faturam ektedir',
      attachments: [
        {
          kind: 'document',
          mimeType: 'application/pdf',
          name: 'fatura.pdf',
          size: 48213,
          sha256: Buffer.from('n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', 'base64').toString('hex'),
          caption: 'Faturam ektedir',
        },
      ],
    });
    expect(result).toMatchObject({ mediaIndexes: [0] });
  });

  it('unwraps view-once and flags it; a withheld view-once is a flagged placeholder', () => {
    expect(dataOf(dm.get('3EB0VIEWONCE11'))).toMatchObject({
      text: 'bir kez bak',
      flags: { viewOnce: true },
      attachments: [{ kind: 'image' }],
    });
    expect(dataOf(dm.get('3EB0WITHHELD12'))).toMatchObject({
      flags: { viewOnce: true, unsupported: true },
      attachments: [{ kind: 'unsupported' }],
    });
  });

  it('unwraps ephemeral voice notes', () => {
    expect(dataOf(dm.get('3EB0VOICE0013')).attachments).toEqual([
      { kind: 'voice', mimeType: 'audio/ogg; codecs=opus', size: 10240, providerMediaId: '/v/t62/voice.enc' },
    ]);
  });

  it('publishes a poll with its question and options as text', () => {
    expect(dataOf(dm.get('3EB0POLL00014'))).toMatchObject({
      text: 'Hangisi?\n• A',
      flags: { poll: true },
      attachments: [],
    });
  });
});

describe('toInboundEvent: ignored, held and groups', () => {
  const items = mapAll('upsert-ignored-and-groups.json');

  it('skips status broadcasts and newsletters with a reason', () => {
    expect(items.get('3EB0STATUS001')).toEqual({ kind: 'skipped', reason: 'status-broadcast' });
    expect(items.get('3EB0NEWS00002')).toEqual({ kind: 'skipped', reason: 'newsletter' });
  });

  it('holds back CIPHERTEXT stubs', () => {
    expect(items.get('3EB0CIPHER003')).toEqual({ kind: 'skipped', reason: 'held-ciphertext-stub' });
  });

  it('skips groups unless ingesting them is switched on; then flags them with the participant as sender', () => {
    expect(items.get('3EB0GROUP0004')).toEqual({ kind: 'skipped', reason: 'group-disabled' });
    const on = mapAll('upsert-ignored-and-groups.json', { ...ctx, ingestGroups: true });
    expect(dataOf(on.get('3EB0GROUP0004'))).toMatchObject({
      conversationRef: '120363025555555555@g.us',
      flags: { group: true },
      group: { id: '120363025555555555@g.us' },
      sender: {
        displayName: 'Mehmet',
        identities: [
          { type: 'phone', value: '+905551112233' },
          { type: 'whatsapp-lid', value: '222233334444555@lid' },
        ],
      },
    });
  });
});

describe('toInboundEvent: protobuf JSON (append, enum names, string longs)', () => {
  const items = mapAll('upsert-append-protobuf-json.json');

  it('reads {low, high} timestamps, string lengths and base64 hashes', () => {
    expect(dataOf(items.get('3EB0OFFLINE01'))).toMatchObject({
      occurredAt: new Date(1767227000_000).toISOString(),
      text: 'Kırık ürün',
      attachments: [
        {
          kind: 'image',
          size: 53122,
          sha256: Buffer.from('q1MKE+RZFJgrefm34/uplM/R8/si9xzqGvvwK0YMbR0=', 'base64').toString('hex'),
        },
      ],
    });
  });

  it('reads enum names (REVOKE, CIPHERTEXT)', () => {
    expect(eventOf(items.get('3EB0OFFLINE02')).type).toBe('kanal.message.deleted.v1');
    expect(items.get('3EB0OFFLINE03')).toEqual({ kind: 'skipped', reason: 'held-ciphertext-stub' });
  });
});
