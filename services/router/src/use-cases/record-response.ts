import type { RecentMessage } from '@kanal/contracts';
import type { OutgoingRecord } from '@kanal/kafka';
import type { RouterContext } from '../router-context';
import type { Conversation } from '../store/conversation-repo';
import type { ConversationStore } from '../store/conversation-store';
import { deadlineId } from '../store/deadline-repo';
import { closedEvent, updatedEvent } from './conversation-events';

/**
 * The first response (an outbound echo or an agent's POST …/responded) stops the SLA clock and
 * records the first response time. Later responses change nothing: the call is idempotent.
 */
export async function recordResponse(
  ctx: RouterContext,
  store: ConversationStore,
  conv: Conversation,
  args: { cause: string; at: Date; recent?: RecentMessage[] },
): Promise<{ conversation: Conversation; records: OutgoingRecord[] }> {
  if (conv.status !== 'waiting') return { conversation: conv, records: [] };
  // The callers bound their times (the HTTP edge refuses, a message falls back to its receipt);
  // this clamp is the last guard of the metric: never negative, never beyond the clock's now.
  const latest = ctx.now();
  const within = args.at > latest ? latest : args.at;
  const at = within < conv.slaStartedAt ? conv.slaStartedAt : within;
  const next: Conversation = { ...conv, status: 'responded', firstResponseAt: at };
  await store.save(next);
  await store.settleDeadline(deadlineId(conv.id, conv.generation), 'stopped');
  ctx.metrics.firstResponse.observe({ queue: conv.queue, channel: conv.channel }, (at.getTime() - conv.slaStartedAt.getTime()) / 1000);
  const record = await updatedEvent(ctx, store, { cause: args.cause, conversation: next, reason: 'responded', recent: args.recent, at });
  return { conversation: next, records: [record] };
}

/**
 * Closes the conversation (an agent did, or the unifier closed it on idle): the clock is cancelled
 * and `kanal.conversation.closed.v1` emitted. Closed and merged conversations stay as they are.
 */
export async function closeConversation(
  ctx: RouterContext,
  store: ConversationStore,
  conv: Conversation,
  args: { cause: string; at: Date; reason?: 'agent' | 'idle' },
): Promise<{ conversation: Conversation; records: OutgoingRecord[] }> {
  if (conv.status === 'closed' || conv.status === 'merged') return { conversation: conv, records: [] };
  const next: Conversation = { ...conv, status: 'closed', closedAt: args.at };
  await store.save(next);
  await store.settleDeadline(deadlineId(conv.id, conv.generation), 'cancelled');
  return {
    conversation: next,
    records: [await closedEvent(ctx, store, { cause: args.cause, conversation: next, reason: args.reason ?? 'agent', at: args.at })],
  };
}
