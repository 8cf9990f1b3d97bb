import { routingEventId, type RecentMessage } from '@kanal/contracts';
import type { OutgoingRecord } from '@kanal/kafka';
import { routingRecord } from '../events/routing-records';
import type { RouterContext } from '../router-context';
import type { RuleOutcome } from '../routing/rule-engine';
import type { Conversation } from '../store/conversation-repo';
import type { ConversationStore } from '../store/conversation-store';

type UpdateReason = 'repeat-contact' | 'override' | 'merge' | 'responded' | 'split' | 'reopened';

const noExplanation: Pick<RuleOutcome, 'ruleIds' | 'matchedTerms' | 'tags'> = { ruleIds: [], matchedTerms: [], tags: [] };

/** `kanal.conversation.updated.v1` for a changed conversation, recorded in its routing history. */
export async function updatedEvent(
  ctx: RouterContext,
  store: ConversationStore,
  args: {
    cause: string;
    conversation: Conversation;
    reason: UpdateReason;
    previous?: { queue: string; priority: Conversation['priority'] };
    explanation?: Pick<RuleOutcome, 'ruleIds' | 'matchedTerms' | 'tags'>;
    recent?: RecentMessage[];
    foldedConversationIds?: string[];
    at: Date;
  },
): Promise<OutgoingRecord> {
  const c = args.conversation;
  const why = args.explanation ?? noExplanation;
  const id = routingEventId(args.cause, 'updated', c.id);
  await store.appendHistory({
    conversationId: c.id,
    eventId: id,
    type: 'updated',
    reason: args.reason,
    queue: c.queue,
    priority: c.priority,
    slaDueAt: c.slaDueAt,
    ...why,
    at: args.at,
  });
  ctx.metrics.decisions.inc({ type: 'updated', reason: args.reason, queue: c.queue });
  return routingRecord(
    'kanal.conversation.updated.v1',
    id,
    c.customerId,
    {
      conversationId: c.id,
      customer: c.customer,
      reason: args.reason,
      queue: c.queue,
      priority: c.priority,
      ...(args.previous && args.previous.queue !== c.queue ? { previousQueue: args.previous.queue } : {}),
      ...(args.previous && args.previous.priority !== c.priority ? { previousPriority: args.previous.priority } : {}),
      ...(c.slaDueAt && c.status === 'waiting' ? { slaDueAt: c.slaDueAt.toISOString() } : {}),
      ...(c.firstResponseAt ? { firstResponseAt: c.firstResponseAt.toISOString() } : {}),
      ...(args.foldedConversationIds ? { foldedConversationIds: args.foldedConversationIds } : {}),
      ruleIds: why.ruleIds,
      matchedTerms: why.matchedTerms,
      tags: why.tags,
      recent: args.recent ?? [],
      updatedAt: args.at.toISOString(),
    },
    args.at.toISOString(),
  );
}

/** `kanal.conversation.closed.v1`. */
export async function closedEvent(
  ctx: RouterContext,
  store: ConversationStore,
  args: { cause: string; conversation: Conversation; reason: 'agent' | 'idle' | 'merged'; at: Date },
): Promise<OutgoingRecord> {
  const c = args.conversation;
  const id = routingEventId(args.cause, 'closed', c.id);
  await store.appendHistory({ conversationId: c.id, eventId: id, type: 'closed', reason: args.reason, queue: c.queue, priority: c.priority, at: args.at });
  ctx.metrics.decisions.inc({ type: 'closed', reason: args.reason, queue: c.queue });
  return routingRecord(
    'kanal.conversation.closed.v1',
    id,
    c.customerId,
    { conversationId: c.id, customer: c.customer, queue: c.queue, reason: args.reason, closedAt: args.at.toISOString() },
    args.at.toISOString(),
  );
}
