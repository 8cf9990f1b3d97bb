import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { MessageData } from '@kanal/contracts';
import { dmEventsPageToInbound } from './dm-events-to-inbound';
import { dmEventsPageSchema, type DmEventsPage } from './x-payload-schemas';

const US = '1580001122334455667';
const CUSTOMER = '98765432';
const RECEIVED_AT = '2026-11-20T14:00:00.000Z';
const ctx = { accountId: US, receivedAt: RECEIVED_AT };
const fixture = (name: string): DmEventsPage =>
  dmEventsPageSchema.parse(JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')));
const dm = (fields: Record<string, unknown>) => ({
  id: '1790000000000000500',
  event_type: 'MessageCreate',
  text: 'hello',
  sender_id: CUSTOMER,
  dm_conversation_id: `${CUSTOMER}-${US}`,
  created_at: '2026-11-20T13:00:00.000Z',
  ...fields,
});
const one = (item: unknown) => dmEventsPageToInbound({ data: [item] }, ctx);

describe('dm_events items that cannot become events are rejected with their raw item', () => {
  const batch = dmEventsPageToInbound(fixture('dm-events-unknown.json'), ctx);

  it('publishes the good message and rejects an unknown event type and an item without one', () => {
    expect(batch.events.map((e) => e.data.externalId)).toEqual(['1790000000000000303']);
    expect(batch.rejected.map((r) => [r.code, r.item])).toEqual([
      ['X.UNKNOWN_EVENT_TYPE', 'data[1] id 1790000000000000302'],
      ['X.INVALID_EVENT', 'data[2]'],
    ]);
    expect(batch.rejected[0]!.message).toBe('event_type "MessageDelete" is not mapped by connector-x');
    expect(batch.skipped).toEqual([]);
  });

  it('carries a one-event page with only the users that event refers to', () => {
    const original = fixture('dm-events-unknown.json');
    expect(batch.rejected[0]!.payload).toEqual({
      data: [original.data![1]],
      includes: { users: [original.includes!.users![0], original.includes!.users![1]] },
      meta: { result_count: 1 },
    });
    // The letter's page maps back to the same rejection, so a replay tells "still failing".
    const again = dmEventsPageToInbound(dmEventsPageSchema.parse(batch.rejected[0]!.payload), ctx);
    expect(again.rejected.map((r) => r.code)).toEqual(['X.UNKNOWN_EVENT_TYPE']);
  });

  it('rejects items that are not dm_event objects at all, one by one', () => {
    const result = dmEventsPageToInbound({ data: [null, 'text', 42, { id: 7, event_type: 'MessageCreate' }] }, ctx);
    expect(result.rejected.map((r) => [r.code, r.item])).toEqual([
      ['X.INVALID_EVENT', 'data[0]'],
      ['X.INVALID_EVENT', 'data[1]'],
      ['X.INVALID_EVENT', 'data[2]'],
      ['X.INVALID_EVENT', 'data[3]'],
    ]);
    expect(result.rejected[1]!.payload).toEqual({ data: ['text'], meta: { result_count: 1 } });
  });

  it('rejects a MessageCreate whose fields have the wrong types', () => {
    expect(one(dm({ text: 42 })).rejected.map((r) => r.code)).toEqual(['X.INVALID_EVENT']);
  });

  it('rejects an event the contract refuses, keyed by its conversation', () => {
    const result = one(dm({ dm_conversation_id: '9'.repeat(2_000) }));
    expect(result.events).toEqual([]);
    expect(result.rejected[0]).toMatchObject({ code: 'X.INVALID_MESSAGE', key: `x:${US}:${'9'.repeat(2_000)}` });
    expect(result.rejected[0]!.message).toContain('data.conversationRef');
  });
});

describe('missing fields: kept with a fallback when the message can still be told, else rejected', () => {
  const batch = dmEventsPageToInbound(fixture('dm-events-missing-fields.json'), ctx);
  const data = new Map(batch.events.map((e) => [e.data.externalId, e.data as MessageData]));

  it('uses receivedAt with flags.dateFallback for a missing or unreadable created_at', () => {
    for (const id of ['1790000000000000405', '1790000000000000404']) {
      expect(data.get(id)).toMatchObject({ occurredAt: RECEIVED_AT, flags: { dateFallback: true } });
    }
  });

  it('rejects a MessageCreate without sender_id or dm_conversation_id (direction or thread unknown)', () => {
    expect(batch.rejected.map((r) => [r.code, r.message])).toEqual([
      ['X.MISSING_FIELD', 'MessageCreate without sender_id'],
      ['X.MISSING_FIELD', 'MessageCreate without dm_conversation_id'],
    ]);
    expect(batch.rejected[0]!.key).toBe(`x:${US}:${CUSTOMER}-${US}`);
  });

  it('keeps a DM without text or media as an unsupported placeholder', () => {
    expect(data.get('1790000000000000401')).toMatchObject({
      attachments: [{ kind: 'unsupported' }],
      flags: { unsupported: true },
    });
    expect(data.get('1790000000000000401')!.text).toBeUndefined();
  });
});

describe("a validator's opinion never deletes data", () => {
  it('keeps a message whose sender id is not a numeric X id, without that identity, flagged', () => {
    const result = one(dm({ sender_id: 'ayse_y', dm_conversation_id: `ayse_y-${US}` }));
    expect(result.events[0]!.data).toMatchObject({
      direction: 'inbound',
      sender: { identities: [] },
      recipient: { identities: [{ type: 'x', value: US }] },
      flags: { identityFallback: true },
    });
  });

  it('accepts an exact numeric sender id and normalizes a padded one', () => {
    expect(one(dm({ sender_id: 98765432 })).events[0]!.data.sender).toEqual({
      identities: [{ type: 'x', value: CUSTOMER }],
    });
    expect(one(dm({ sender_id: ` ${CUSTOMER} ` })).events[0]!.data.sender).toEqual({
      identities: [{ type: 'x', value: CUSTOMER }],
    });
  });

  it('keeps an offset created_at as the same instant in UTC', () => {
    expect(one(dm({ created_at: '2026-11-20T16:00:00+03:00' })).events[0]!.data.occurredAt).toBe(
      '2026-11-20T13:00:00.000Z',
    );
  });

  it('keeps texts exactly as sent and cuts only over-long display names', () => {
    const text = '  İyi günler\u0131 — ünïcödé 👍🏽 ';
    const result = dmEventsPageToInbound(
      { data: [dm({ text })], includes: { users: [{ id: CUSTOMER, name: 'N'.repeat(300), username: 'u' }] } },
      ctx,
    );
    const d = result.events[0]!.data as MessageData;
    expect(d.text).toBe(text);
    expect(d.sender.displayName).toHaveLength(256);
  });

  it('ignores a malformed includes entry instead of losing the page', () => {
    const result = dmEventsPageToInbound(
      { data: [dm({})], includes: { users: [{ id: CUSTOMER, name: 42 }, 'junk'], media: [null] } },
      ctx,
    );
    expect(result.events[0]!.data.sender).toEqual({ identities: [{ type: 'x', value: CUSTOMER }] });
  });
});
