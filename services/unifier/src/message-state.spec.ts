import { expect, it } from '@jest/globals';
import type { InboundData } from '@kanal/contracts';
import { applyStateEvent } from './message-state';

const base = { occurredAt: '2026-11-25T08:00:00.000Z', direction: 'inbound' } as unknown as InboundData &
  Record<string, unknown>;

it('keeps edit history, never moves a status backwards, and sets or removes reactions', () => {
  const edited = applyStateEvent('edited', {}, 'Siparis', { ...base, text: 'Sipariş' });
  expect(edited).toEqual({ state: { edits: [{ text: 'Siparis', editedAt: base.occurredAt }] }, text: 'Sipariş' });
  const read = applyStateEvent('status', {}, null, { ...base, status: 'read' }).state;
  expect(applyStateEvent('status', read, null, { ...base, status: 'delivered' }).state.status?.status).toBe('read');
  const sender = { identities: [{ type: 'phone' as const, value: '+905321234567' }] };
  const liked = applyStateEvent('reaction', {}, null, { ...base, sender, emoji: '👍' }).state;
  expect(liked.reactions).toEqual({ 'phone:+905321234567': { emoji: '👍', at: base.occurredAt } });
  expect(applyStateEvent('reaction', liked, null, { ...base, sender }).state.reactions).toEqual({});
});
