import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { inboundEventId, parseEvent, type MessageData } from '@kanal/contracts';
import { webhookBodyToInbound } from './webhook-to-inbound';
import { webhookBodySchema } from './x-payload-schemas';

const US = '1580001122334455667';
const CUSTOMER = '98765432';
const RECEIVED_AT = '2026-11-21T09:00:00.000Z';
const raw = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
const map = (name: string) => webhookBodyToInbound(webhookBodySchema.parse(raw(name)), { receivedAt: RECEIVED_AT });
const data = (name: string, index = 0) => map(name).events[index]!.data as MessageData;

describe('webhookBodyToInbound: direct_message_events', () => {
  const batch = map('webhook-dm.json');

  it('maps an inbound DM with its media, sender from users and our account as recipient', () => {
    const e = batch.events[0]!;
    expect(parseEvent(e)).toMatchObject({ ok: true });
    expect(e.type).toBe('kanal.message.received.v1');
    expect(e.id).toBe(inboundEventId('x', US, '1790000000000000020'));
    expect(e.data).toMatchObject({
      accountId: US,
      direction: 'inbound',
      conversationRef: `${CUSTOMER}-${US}`,
      occurredAt: '2025-11-21T09:15:00.123Z',
      text: 'Fotoğraf ekte',
      sender: { displayName: 'Ayşe Yılmaz', username: '@ayse_y', identities: [{ type: 'x', value: CUSTOMER }] },
      recipient: { displayName: 'ShopCo Support', identities: [{ type: 'x', value: US }] },
      attachments: [
        {
          kind: 'image',
          providerMediaId: '1790000000000000088',
          url: 'https://pbs.twimg.com/dm_media/1790000000000000088.jpg',
        },
      ],
    });
    expect(batch.rejected).toEqual([]);
    expect(batch.skipped).toEqual([]);
  });

  it('maps the echo of our own send as outbound, our account as sender', () => {
    expect(batch.events[1]!.type).toBe('kanal.message.sent.v1');
    expect(batch.events[1]!.data).toMatchObject({
      direction: 'outbound',
      sender: { identities: [{ type: 'x', value: US }] },
      recipient: { identities: [{ type: 'x', value: CUSTOMER }] },
    });
  });

  it('maps a quick-reply response to interactive {id: metadata, title: text}', () => {
    expect(data('webhook-quick-reply.json')).toMatchObject({
      text: 'Siparişim nerede?',
      interactive: { id: 'order-status', title: 'Siparişim nerede?' },
    });
  });

  it('keeps a link in the text and adds it as a share attachment', () => {
    const d = data('webhook-dm-links.json');
    expect(d.text).toBe('Bu ürün https://t.co/Pr0dL1nk hâlâ stokta mı? @shopco_help');
    expect(d.attachments).toEqual([{ kind: 'share', url: 'https://shop.example.com/p/kirmizi-elbise' }]);
  });
});

describe('webhookBodyToInbound: read receipts, typing and other activity', () => {
  it("maps the customer's read receipt to a read status of our message; our own reading is skipped", () => {
    const batch = map('webhook-read.json');
    expect(batch.events).toHaveLength(1);
    const e = batch.events[0]!;
    expect(parseEvent(e)).toMatchObject({ ok: true });
    expect(e.type).toBe('kanal.message.status.v1');
    expect(e.id).toBe(inboundEventId('x', US, '1790000000000000021', 'read'));
    expect(e.subject).toBe(`x:${US}:${CUSTOMER}-${US}`);
    expect(e.data).toMatchObject({
      direction: 'outbound',
      status: 'read',
      externalId: '1790000000000000021',
      target: { externalId: '1790000000000000021' },
      occurredAt: '2025-11-21T09:17:00.000Z',
      sender: { identities: [{ type: 'x', value: US }] },
      recipient: { displayName: 'Ayşe Yılmaz', identities: [{ type: 'x', value: CUSTOMER }] },
    });
    expect(batch.skipped).toEqual([
      { reason: 'own-read-receipt', item: 'direct_message_mark_read_events[1] read 1790000000000000020' },
    ]);
  });

  it('counts typing indicators, follows, our own posts and likes as skips by reason', () => {
    const reasons = (name: string) => map(name).skipped.map((s) => s.reason);
    expect(reasons('webhook-typing.json')).toEqual(['typing-indicator']);
    expect(reasons('webhook-follow.json')).toEqual(['follow']);
    expect(reasons('webhook-own-activity.json')).toEqual(['tweet', 'favorite']);
    for (const name of ['webhook-typing.json', 'webhook-follow.json', 'webhook-own-activity.json']) {
      expect(map(name).events).toEqual([]);
      expect(map(name).rejected).toEqual([]);
    }
  });
});

describe('webhookBodyToInbound: what cannot be mapped is rejected with a minimal body', () => {
  const body = raw('webhook-unknown.json');
  const batch = map('webhook-unknown.json');

  it('maps the good DM and rejects an unknown DM type and an unknown activity key', () => {
    expect(batch.events.map((e) => e.data.externalId)).toEqual(['1790000000000000060']);
    expect(batch.rejected.map((r) => [r.code, r.item])).toEqual([
      ['X.UNKNOWN_EVENT_TYPE', 'direct_message_events[1] id 1790000000000000061'],
      ['X.UNKNOWN_EVENT_TYPE', 'direct_message_seen_events'],
    ]);
  });

  it('keeps the one event, or the unknown key, with the users of the body (unknown shapes name them anywhere)', () => {
    expect(batch.rejected[0]!.payload).toEqual({
      for_user_id: US,
      direct_message_events: [body.direct_message_events[1]],
      users: body.users,
    });
    expect(batch.rejected[1]!.payload).toEqual({
      for_user_id: US,
      direct_message_seen_events: body.direct_message_seen_events,
      users: body.users,
    });
  });

  it('keeps only the users and the app a message_create names in its minimal body', () => {
    const dm = raw('webhook-dm.json');
    const echo = { ...dm.direct_message_events[1], type: 'message_update' };
    const result = webhookBodyToInbound(webhookBodySchema.parse({ ...dm, direct_message_events: [echo] }), {
      receivedAt: RECEIVED_AT,
    });
    expect(result.rejected[0]!.payload).toEqual({
      for_user_id: US,
      direct_message_events: [echo],
      users: { [US]: dm.users[US], [CUSTOMER]: dm.users[CUSTOMER] },
      apps: dm.apps,
    });
  });

  it('falls back for missing or out-of-range times, and rejects a DM without its recipient', () => {
    const result = map('webhook-missing-fields.json');
    const byId = new Map(result.events.map((e) => [e.data.externalId, e.data as MessageData]));
    for (const id of ['1790000000000000070', '1790000000000000071'])
      expect(byId.get(id)).toMatchObject({ occurredAt: RECEIVED_AT, flags: { dateFallback: true } });
    expect(byId.get('1790000000000000073')).toMatchObject({
      attachments: [{ kind: 'unsupported' }],
      flags: { unsupported: true },
    });
    expect(result.rejected.map((r) => [r.code, r.message])).toEqual([
      ['X.MISSING_FIELD', 'message_create without target.recipient_id'],
    ]);
  });

  it('keeps a DM whose users entry is malformed, without the name', () => {
    const dm = raw('webhook-dm.json');
    const result = webhookBodyToInbound(webhookBodySchema.parse({ ...dm, users: { [CUSTOMER]: { name: 7 } } }), {
      receivedAt: RECEIVED_AT,
    });
    expect(result.events[0]!.data.sender).toEqual({ identities: [{ type: 'x', value: CUSTOMER }] });
  });
});
