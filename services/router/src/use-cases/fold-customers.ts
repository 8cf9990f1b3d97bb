import type { CustomerMergedData, CustomerSplitData } from '@kanal/contracts';
import type { OutgoingRecord } from '@kanal/kafka';
import type { RouterContext } from '../router-context';
import { higherPriority } from '../routing/sla-policy';
import { lockConversation, lockConversations, reassignCustomer, saveConversation, type Conversation, type Queryable } from '../store/conversation-repo';
import { deadlineId, settleDeadline, upsertDeadline } from '../store/deadline-repo';
import { DirectStore } from '../store/conversation-store';
import { closedEvent, updatedEvent } from './conversation-events';
import { customerRef } from './route-message';

/**
 * The unifier merged two customers and folded their open conversations into one. The survivor
 * conversation keeps the earliest SLA clock and the most urgent priority; folded ones close.
 */
export async function foldMerge(ctx: RouterContext, db: Queryable, eventId: string, data: CustomerMergedData): Promise<OutgoingRecord[]> {
  await reassignCustomer(db, data.mergedId, data.survivorId);
  const customer = customerRef(data.customer);
  if (!data.conversationId) return [];
  const ids = [data.conversationId, ...data.foldedConversationIds.filter((id) => id !== data.conversationId)];
  const rows = await lockConversations(db, ids);
  const folded = rows.filter((c) => c.id !== data.conversationId && c.status !== 'merged');
  if (folded.length === 0) return [];
  const at = new Date(data.mergedAt);
  // Earliest first: its queue wins when the survivor conversation is unknown to the router.
  const all = [...rows.filter((c) => c.status !== 'merged')].sort((a, b) => a.slaStartedAt.getTime() - b.slaStartedAt.getTime());
  const base = rows.find((c) => c.id === data.conversationId) ?? all[0]!;
  const waiting = all.filter((c) => c.status === 'waiting');
  const earliestDue = waiting.map((c) => c.slaDueAt).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0];
  const previous = { queue: base.queue, priority: base.priority };
  const survivor: Conversation = {
    ...base,
    id: data.conversationId,
    customer,
    customerId: customer.id,
    status: waiting.length > 0 ? 'waiting' : base.status,
    priority: all.reduce((p, c) => higherPriority(p, c.priority), base.priority),
    channels: [...new Set(all.flatMap((c) => c.channels))],
    openedAt: new Date(Math.min(...all.map((c) => c.openedAt.getTime()))),
    slaStartedAt: waiting[0]?.slaStartedAt ?? base.slaStartedAt,
    slaDueAt: earliestDue ?? base.slaDueAt,
    slaBreached: all.some((c) => c.status === 'waiting' && c.slaBreached),
    firstResponseAt: waiting.length > 0 ? null : base.firstResponseAt,
  };
  if (base.id !== survivor.id) survivor.generation = 1;
  await saveConversation(db, survivor);
  if (survivor.status === 'waiting' && survivor.slaDueAt && !survivor.slaBreached) {
    await upsertDeadline(db, deadlineId(survivor.id, survivor.generation), survivor.id, survivor.slaDueAt);
  }
  const store = new DirectStore(db);
  const records: OutgoingRecord[] = [];
  for (const c of folded) {
    const closed: Conversation = { ...c, status: 'merged', mergedInto: survivor.id, closedAt: at, customer, customerId: customer.id };
    await saveConversation(db, closed);
    await settleDeadline(db, deadlineId(c.id, c.generation), 'cancelled');
    records.push(await closedEvent(ctx, store, { cause: eventId, conversation: closed, reason: 'merged', at }));
  }
  records.push(
    await updatedEvent(ctx, store, { cause: eventId, conversation: survivor, reason: 'merge', previous, foldedConversationIds: folded.map((c) => c.id), at }),
  );
  return records;
}

/**
 * A merge was undone: the moved identities leave the conversation's customer summary, and the
 * desk is told (`reason: split`). The new customer's conversation is routed on its next message.
 */
export async function applySplit(ctx: RouterContext, db: Queryable, eventId: string, data: CustomerSplitData): Promise<OutgoingRecord[]> {
  if (!data.conversationId) return [];
  const conv = await lockConversation(db, data.conversationId);
  if (!conv || conv.status === 'closed' || conv.status === 'merged') return [];
  const moved = new Set(data.identities.map((i) => `${i.type}:${i.value}`));
  const next: Conversation = {
    ...conv,
    customer: { ...conv.customer, identities: conv.customer.identities.filter((i) => !moved.has(`${i.type}:${i.value}`)) },
  };
  await saveConversation(db, next);
  return [await updatedEvent(ctx, new DirectStore(db), { cause: eventId, conversation: next, reason: 'split', at: new Date(data.splitAt) })];
}
