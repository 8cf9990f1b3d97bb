import { describe, expect, it } from '@jest/globals';
import type { RawMessageUpdate, RawReaction, RawUpsert } from './raw-message';
import { CTX as ctx, SELF, SELF_IDENTITIES, eventOf, fixture } from './test-kit';
import { toInboundEvent } from './to-inbound-events';
import { toReactionEvent, toUpdateEvent } from './to-update-events';

const upserts = new Map(
  fixture<RawUpsert>('upsert-state.json').messages.map((m) => [m.key.id!, eventOf(toInboundEvent(m, ctx))]),
);
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
    expect(fromUpsert.data).toMatchObject({
      target: { externalId: '3EB0TEXT0001' },
      text: 'Siparişim nerede? (düzeltme)',
    });
    expect(fromUpdate.id).toBe(fromUpsert.id);
    expect(fromUpdate.data).toMatchObject({
      text: 'Siparişim nerede? (düzeltme)',
      occurredAt: (fromUpsert.data as { occurredAt: string }).occurredAt,
    });
  });

  it('reaction: the upsert reactionMessage and messages.reaction agree; an empty text removes it', () => {
    const fromUpsert = upserts.get('3EB0REACT0003')!;
    const fromEvent = eventOf(reactions[0]);
    expect(fromUpsert.type).toBe('kanal.reaction.changed.v1');
    expect(fromUpsert.data).toMatchObject({ target: { externalId: '3EB0FROMME005' }, emoji: '👍' });
    expect(fromEvent.id).toBe(fromUpsert.id);
    expect(fromEvent.data).toMatchObject({
      emoji: '👍',
      occurredAt: (fromUpsert.data as { occurredAt: string }).occurredAt,
    });
    const removed = upserts.get('3EB0UNREACT04')!;
    expect(removed.data).not.toHaveProperty('emoji');
    expect(removed.id).not.toBe(fromUpsert.id);
  });

  it('receipts become status events only on our own messages', () => {
    expect(eventOf(updates[2])).toMatchObject({
      type: 'kanal.message.status.v1',
      data: { status: 'read', target: { externalId: '3EB0FROMME005' } },
    });
    expect(updates[3]).toEqual({ kind: 'skipped', reason: 'update-ignored' });
  });

  it('puts the business on the sending side of a status and on the receiving side of a customer revoke', () => {
    const withSelf = { ...ctx, self: SELF };
    const items = fixture<RawMessageUpdate[]>('messages-update.json');
    expect(eventOf(toUpdateEvent(items[2]!, withSelf)).data).toMatchObject({
      sender: { identities: SELF_IDENTITIES },
      recipient: { identities: [{ type: 'phone', value: '+905321234567' }] },
    });
    expect(eventOf(toUpdateEvent(items[0]!, withSelf)).data).toMatchObject({
      recipient: { identities: SELF_IDENTITIES },
    });
  });

  it('takes a receipt without a time as received now (by design, not a fallback)', () => {
    const status = eventOf(updates[2]);
    expect(status.data).toMatchObject({ occurredAt: ctx.receivedAt });
    expect(status.data).not.toHaveProperty('flags');
  });

  it('dead-letters update and reaction items it cannot read instead of throwing', () => {
    expect(toUpdateEvent({ key: { remoteJid: '905321234567@s.whatsapp.net', id: 'X' } } as never, ctx)).toMatchObject({
      kind: 'failed',
      code: 'WHATSAPP.MALFORMED_ITEM',
    });
    expect(toUpdateEvent({ key: { id: 'X' }, update: { status: 4 } }, ctx)).toMatchObject({
      kind: 'failed',
      code: 'WHATSAPP.MALFORMED_KEY',
    });
    expect(toReactionEvent({ key: { remoteJid: '905321234567@s.whatsapp.net', id: 'X' } } as never, ctx)).toMatchObject(
      {
        kind: 'failed',
        code: 'WHATSAPP.MALFORMED_ITEM',
      },
    );
  });
});
