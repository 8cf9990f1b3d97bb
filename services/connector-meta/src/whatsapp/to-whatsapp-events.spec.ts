import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  inboundEventId,
  type CloudEvent,
  type MessageData,
  type MessageStatusData,
  type ReactionChangedData,
} from '@kanal/contracts';
import { normalizeWebhook } from '../normalize/normalize-webhook';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const ctx = { receivedAt: '2026-11-25T08:00:00.000Z' };
const run = (name: string) => normalizeWebhook('whatsapp-cloud', fixture(name), ctx);
const events = (name: string) => run(name).events.map((e) => e.event);
const data = <T = MessageData>(e: CloudEvent | undefined) => e!.data as T;
const byId = (list: CloudEvent[], externalId: string) =>
  list.find((e) => (e.data as MessageData).externalId === externalId);

describe('WhatsApp Cloud API webhook → events', () => {
  it('keeps \\uXXXX-escaped Turkish text and emoji exactly, with the phone from wa_id and seconds as time', () => {
    const [event] = events('text-turkish-escaped.json');
    const d = data(event);
    expect(event!.type).toBe('kanal.message.received.v1');
    expect(d.text).toBe('İyi günler, siparişim nerede? Ödeme çekildi 🙏');
    expect(d.sender.displayName).toBe('Ayşe Yıldız');
    expect(d.sender.identities).toEqual([{ type: 'phone', value: '+905321234567' }]);
    expect(d).toMatchObject({
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      accountId: '106540352242922',
      conversationRef: '905321234567',
    });
    expect(d.occurredAt).toBe('2025-11-25T05:53:20.000Z');
    expect(event!.subject).toBe('whatsapp:106540352242922:905321234567');
    expect(event!.id).toBe(inboundEventId('whatsapp', '106540352242922', d.externalId));
  });

  it('joins display names by wa_id, not by array position, across every entry', () => {
    const list = events('two-messages-contacts-reversed.json');
    expect(list).toHaveLength(3);
    expect(data(byId(list, 'wamid.ZEYNEP0001')).sender.displayName).toBe('Zeynep Demir');
    expect(data(byId(list, 'wamid.MEHMET0001')).sender.displayName).toBe('Mehmet Kaya');
    expect(data(byId(list, 'wamid.ALI0001')).accountId).toBe('106540352249999');
  });

  it('gives a byte-identical redelivery the same event ids', () => {
    const first = events('media.json').map((e) => e.id);
    const again = normalizeWebhook('whatsapp-cloud', fixture('media.json'), {
      ...ctx,
      receivedAt: '2026-11-26T00:00:00.000Z',
    });
    expect(again.events.map((e) => e.event.id)).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('maps media with caption as text, voice notes, document filenames and stickers, queued by media id', () => {
    const batch = run('media.json');
    const list = batch.events.map((e) => e.event);
    expect(data(byId(list, 'wamid.IMAGE01'))).toMatchObject({
      text: 'Hasarlı paket',
      attachments: [
        { kind: 'image', mimeType: 'image/jpeg', caption: 'Hasarlı paket', providerMediaId: '1003383421387256' },
      ],
    });
    expect(data(byId(list, 'wamid.VIDEO01')).attachments[0]!.kind).toBe('video');
    expect(data(byId(list, 'wamid.VOICE01')).attachments[0]!.kind).toBe('voice');
    expect(data(byId(list, 'wamid.AUDIO01')).attachments[0]!.kind).toBe('audio');
    expect(data(byId(list, 'wamid.DOC01')).attachments[0]).toMatchObject({
      kind: 'document',
      name: 'fatura-2026-11.pdf',
      caption: 'Fatura',
    });
    expect(data(byId(list, 'wamid.STICKER01')).attachments[0]).toMatchObject({
      kind: 'sticker',
      mimeType: 'image/webp',
    });
    // Meta's base64 hash is not our hex sha256: it is left for the media worker to fill in.
    expect(data(byId(list, 'wamid.IMAGE01')).attachments[0]!.sha256).toBeUndefined();
    expect(batch.media.map((j) => j.items[0]!.providerMediaId)).toHaveLength(6);
    expect(batch.media[0]!.message.id).toBe(byId(list, 'wamid.IMAGE01')!.id);
  });

  it('maps a location and a contact card without making the card the sender', () => {
    const list = events('location-contacts.json');
    expect(data(byId(list, 'wamid.LOC01')).attachments[0]).toEqual({
      kind: 'location',
      latitude: 41.0082,
      longitude: 28.9784,
      title: 'Sultanahmet',
      address: 'Fatih, İstanbul',
    });
    const card = data(byId(list, 'wamid.CARD01'));
    expect(card.attachments[0]).toEqual({
      kind: 'contact',
      contact: { displayName: 'Kemal Usta', phones: ['+90 532 999 88 77'], emails: ['kemal@example.com'] },
    });
    expect(card.sender.identities).toEqual([{ type: 'phone', value: '+905321234567' }]);
  });

  it('keeps button and list reply ids and titles, template buttons and context replies', () => {
    const list = events('interactive-reactions.json');
    expect(data(byId(list, 'wamid.BTN01'))).toMatchObject({
      interactive: { id: 'track-order', title: 'Kargom nerede' },
      replyTo: { externalId: 'wamid.OUTBOUND01' },
    });
    expect(data(byId(list, 'wamid.LIST01')).interactive).toEqual({ id: 'refund', title: 'İade' });
    expect(data(byId(list, 'wamid.QR01')).interactive).toEqual({ id: 'CONFIRM_YES', title: 'Evet' });
    expect(data(byId(list, 'wamid.REPLY01'))).toMatchObject({
      text: 'Teşekkürler',
      replyTo: { externalId: 'wamid.OUTBOUND03' },
    });
  });

  it('turns reactions and removed reactions into reaction events on the target, never messages', () => {
    const list = events('interactive-reactions.json');
    const react = byId(list, 'wamid.REACT01')!;
    const unreact = byId(list, 'wamid.UNREACT01')!;
    expect(react.type).toBe('kanal.reaction.changed.v1');
    expect(data<ReactionChangedData>(react)).toMatchObject({ emoji: '👍', target: { externalId: 'wamid.OUTBOUND01' } });
    expect(unreact.type).toBe('kanal.reaction.changed.v1');
    expect(data<ReactionChangedData>(unreact).emoji).toBeUndefined();
  });

  it('turns statuses into status events with the status as id suffix, and a status-only body into no message', () => {
    const list = events('statuses.json');
    expect(list.map((e) => e.type)).toEqual(Array(4).fill('kanal.message.status.v1'));
    expect(list.map((e) => data<MessageStatusData>(e).status)).toEqual(['sent', 'delivered', 'read', 'failed']);
    expect(list[0]!.id).toBe(inboundEventId('whatsapp', '106540352242922', 'wamid.OUTBOUND01', 'sent'));
    expect(new Set(list.map((e) => e.id)).size).toBe(4);
    expect(data<MessageStatusData>(list[3])).toMatchObject({
      direction: 'outbound',
      error: { code: '131047', message: 'Re-engagement message' },
    });
    expect(data<MessageStatusData>(list[0]).recipient?.identities).toEqual([{ type: 'phone', value: '+905321234567' }]);
  });

  it('publishes unsupported types as a placeholder and username-only senders with only their BSUID', () => {
    const list = events('unsupported-username.json');
    const unsupported = data(byId(list, 'wamid.UNSUP01'));
    expect(unsupported.flags).toEqual({ unsupported: true });
    expect(unsupported.attachments[0]!.kind).toBe('unsupported');
    expect(unsupported.sender.identities).toEqual([
      { type: 'phone', value: '+905321234567' },
      { type: 'whatsapp-bsuid', value: 'TR.832716459012345' },
    ]);
    const username = data(byId(list, 'wamid.USERNAME01'));
    expect(username.sender).toEqual({
      displayName: 'Deniz',
      username: 'deniz.k',
      identities: [{ type: 'whatsapp-bsuid', value: 'TR.100200300400500' }],
    });
    expect(username.conversationRef).toBe('TR.100200300400500');
  });

  it('refuses a body that is not a WhatsApp webhook with a stable code', () => {
    expect(() => normalizeWebhook('whatsapp-cloud', Buffer.from('{"object":"page","entry":[]}'), ctx)).toThrow(
      expect.objectContaining({ code: 'META.INVALID_BODY' }),
    );
    expect(() => normalizeWebhook('whatsapp-cloud', Buffer.from('{not json'), ctx)).toThrow(
      expect.objectContaining({ code: 'META.INVALID_BODY' }),
    );
  });

  it('keeps a message whose BSUID does not normalise, without that identity and flagged', () => {
    const body = JSON.parse(fixture('unsupported-username.json').toString('utf8'));
    const value = body.entry[0].changes[0].value;
    value.messages[1].from_user_id = 'TR 100 200'; // blanks: not a BSUID
    value.contacts[1].user_id = 'TR 100 200';
    const result = normalizeWebhook('whatsapp-cloud', Buffer.from(JSON.stringify(body)), ctx);
    const kept = data(
      byId(
        result.events.map((e) => e.event),
        'wamid.USERNAME01',
      ),
    );
    expect(kept.sender.identities).toEqual([]);
    expect(kept.flags).toEqual({ identityFallback: true });
    expect(kept.conversationRef).toBe('TR 100 200');
    expect(result.deadLetters).toEqual([]);
  });
});
