import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { eventSchema, type KanalEvent } from '@kanal/contracts';
import type { MapContext, MapResult } from './map-context';
import type { RawMessageUpdate, RawReaction, RawUpsert } from './raw-message';
import { toInboundEvent } from './to-inbound-events';
import { toReactionEvent, toUpdateEvent } from './to-update-events';

const fixture = <T>(name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as T;
const ctx: MapContext = { accountId: 'shop-tr', receivedAt: '2026-01-01T00:10:00.000Z', ingestGroups: false, defaultRegion: 'TR' };

function eventOf(result: MapResult | undefined): KanalEvent {
  if (result?.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  expect(eventSchema(result.event.type).safeParse(result.event).success).toBe(true);
  return result.event;
}

const upserts = new Map(fixture<RawUpsert>('upsert-state.json').messages.map((m) => [m.key.id!, eventOf(toInboundEvent(m, ctx))]));
const updates = fixture<RawMessageUpdate[]>('messages-update.json').map((u) => toUpdateEvent(u, ctx));
const reactions = fixture<RawReaction[]>('messages-reaction.json').map((r) => toReactionEvent(r, ctx));

describe('state events: one event on the target, whichever Baileys event carries it', () => {
  it('revoke: the upsert protocolMessage and messages.update build the same deleted event', () => {
    const fromUpsert = upserts.get('3EB0REVOKE001')!;
    const fromUpdate = eventOf(updates[0]);
    expect(fromUpsert.type).toBe('kanal.message.deleted.v1');
    expect(fromUpsert.data).toMatchObject({ target: { externalId: '3EB0TEXT0001' }, externalId: '3EB0TEXT0001' });
    expect(fromUpdate.id).toBe(fromUpsert.id);
    expect(fromUpdate.type).toBe(fromUpsert.type);
  });

  it('edit: the phone-wrapped protocolMessage and messages.update agree on id and text', () => {
    const fromUpsert = upserts.get('3EB0EDIT00002')!;
    const fromUpdate = eventOf(updates[1]);
    expect(fromUpsert.type).toBe('kanal.message.edited.v1');
    expect(fromUpsert.data).toMatchObject({ target: { externalId: '3EB0TEXT0001' }, text: 'Siparişim nerede? (düzeltme)' });
    expect(fromUpdate.id).toBe(fromUpsert.id);
    expect(fromUpdate.data).toMatchObject({ text: 'Siparişim nerede? (düzeltme)', occurredAt: (fromUpsert.data as { occurredAt: string }).occurredAt });
  });

  it('reaction: the upsert reactionMessage and messages.reaction agree; an empty text removes it', () => {
    const fromUpsert = upserts.get('3EB0REACT0003')!;
    const fromEvent = eventOf(reactions[0]);
    expect(fromUpsert.type).toBe('kanal.reaction.changed.v1');
    expect(fromUpsert.data).toMatchObject({ target: { externalId: '3EB0FROMME005' }, emoji: '👍' });
    expect(fromEvent.id).toBe(fromUpsert.id);
    expect(fromEvent.data).toMatchObject({ emoji: '👍', occurredAt: (fromUpsert.data as { occurredAt: string }).occurredAt });
    const removed = upserts.get('3EB0UNREACT04')!;
    expect(removed.data).not.toHaveProperty('emoji');
    expect(removed.id).not.toBe(fromUpsert.id);
  });

  it('receipts become status events only on our own messages', () => {
    expect(eventOf(updates[2])).toMatchObject({ type: 'kanal.message.status.v1', data: { status: 'read', target: { externalId: '3EB0FROMME005' } } });
    expect(updates[3]).toEqual({ kind: 'dropped', reason: 'update-ignored' });
  });
});
