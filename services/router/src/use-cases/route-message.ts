import { routingEventId, type CustomerMessageData, type MessageData } from '@kanal/contracts';
import type { OutgoingRecord } from '@kanal/kafka';
import { routingRecord } from '../events/routing-records';
import type { RouterContext } from '../router-context';
import { routeFollowUp, routeNew } from '../routing/decide-route';
import { messageTime, possibleTime } from '../routing/message-time';
import type { RuleInput } from '../routing/rule-engine';
import type { Conversation, CustomerRef } from '../store/conversation-repo';
import type { ConversationStore } from '../store/conversation-store';
import { deadlineId } from '../store/deadline-repo';
import type { SurgeHit } from '../surge/surge-watch';
import { updatedEvent } from './conversation-events';
import { closeConversation } from './record-response';

/** A `received` unified event (the contract types `kind` as a string, so the message is narrowed here). */
export type Received = CustomerMessageData & { message: MessageData };

export function customerRef(c: CustomerMessageData['customer']): CustomerRef {
  return { id: c.id, ...(c.displayName ? { displayName: c.displayName } : {}), identities: c.identities };
}

function ruleText(m: MessageData): string {
  return [m.subject, m.text, m.interactive?.title, ...m.attachments.map((a) => a.caption)].filter(Boolean).join('\n');
}

/**
 * The time a message is routed from (routing/message-time.ts). A fallback is counted and logged
 * (the times only, no content), so a provider whose clock is off shows up on /metrics.
 */
export function routedTime(ctx: RouterContext, eventId: string, m: MessageData, kind: 'received' | 'sent'): Date {
  const { at, bounded } = messageTime(m, ctx.now());
  if (bounded) {
    ctx.metrics.timeBounded.inc({ kind });
    ctx.logger.warn(
      { eventId, provider: m.provider, occurredAt: m.occurredAt, receivedAt: m.receivedAt, routedAt: at.toISOString() },
      'occurredAt is not a possible time; routing from the receive time',
    );
  }
  return at;
}

/**
 * An inbound customer message: the first one of a conversation is routed by the rules (or to the
 * returning customer's previous queue); later ones keep the queue unless an override rule fires,
 * and escalate when the customer chases an unanswered conversation.
 */
export async function routeMessage(
  ctx: RouterContext,
  store: ConversationStore,
  eventId: string,
  data: Received,
  surge: SurgeHit[],
): Promise<OutgoingRecord[]> {
  const m = data.message;
  if (m.flags?.autoReply || m.flags?.bounce) {
    ctx.metrics.dropped.inc({ reason: 'auto-reply-not-routed' });
    return [];
  }
  const at = routedTime(ctx, eventId, m, 'received');
  const customer = customerRef(data.customer);
  const input: RuleInput = {
    channel: m.channel,
    provider: m.provider,
    accountId: m.accountId,
    text: ruleText(m),
    identities: data.customer.identities,
    attributes: data.customer.attributes,
    at,
    contacts: ctx.rules.repeatWindowsMs.length
      ? await store.contacts({ eventId, customerId: customer.id, at }, ctx.rules.repeatWindowsMs)
      : new Map(),
  };
  let conv = await store.lock(data.conversation.id);
  if (conv?.status === 'merged' && conv.mergedInto) conv = (await store.lock(conv.mergedInto)) ?? conv;
  if (!conv) return assignNew(ctx, store, eventId, data, input, customer, at, surge);

  const previous = { queue: conv.queue, priority: conv.priority };
  const reopening = conv.status === 'closed' || conv.status === 'merged';
  const override = ctx.rules.evaluate(input, { onlyOverride: true });
  const followUp = reopening ? undefined : routeFollowUp(conv, override, { channel: m.channel, at, minGapMs: ctx.config.escalation.repeatContactMinGap });
  const next: Conversation = {
    ...conv,
    customer,
    customerId: customer.id,
    channels: conv.channels.includes(m.channel) ? conv.channels : [...conv.channels, m.channel],
    lastInboundChannel: m.channel,
    lastInboundAt: at > conv.lastInboundAt ? at : conv.lastInboundAt,
  };
  let reason: 'override' | 'repeat-contact' | 'reopened' | undefined = followUp?.reason;
  if (reopening) {
    // The unifier kept the conversation open (it closes on idle), so an agent's close is undone.
    Object.assign(next, {
      status: 'waiting',
      generation: conv.generation + 1,
      slaStartedAt: at,
      slaBreached: false,
      firstResponseAt: null,
      closedAt: null,
      mergedInto: null,
      queue: override.queue ?? conv.queue,
      priority: override.priority ?? conv.priority,
    });
    next.slaDueAt = ctx.sla.dueAt(at, next.queue, m.channel, next.priority, override.slaMs);
    reason = 'reopened';
  } else if (followUp) {
    next.queue = followUp.queue;
    next.priority = followUp.priority;
    if (conv.status === 'waiting') {
      const due = ctx.sla.dueAt(conv.slaStartedAt, next.queue, conv.channel, next.priority, override.slaMs);
      next.slaDueAt = conv.slaDueAt && conv.slaDueAt < due ? conv.slaDueAt : due;
    }
  }
  await store.save(next);
  if (!reason) return [];
  if (next.status === 'waiting' && next.slaDueAt) await store.upsertDeadline(deadlineId(next.id, next.generation), next.id, next.slaDueAt);
  return [
    await updatedEvent(ctx, store, { cause: eventId, conversation: next, reason, previous, explanation: override, recent: data.recent, at }),
  ];
}

async function assignNew(
  ctx: RouterContext,
  store: ConversationStore,
  eventId: string,
  data: Received,
  input: RuleInput,
  customer: CustomerRef,
  at: Date,
  surge: SurgeHit[],
): Promise<OutgoingRecord[]> {
  const outcome = ctx.rules.evaluate(input);
  const overrideFired = outcome.ruleIds.some((id) => ctx.config.rules.find((r) => r.id === id)?.override);
  const previous = await store.previousConversation(customer.id, data.conversation.id);
  const route = routeNew(outcome, {
    defaultQueue: ctx.config.defaults.queue,
    defaultPriority: ctx.config.defaults.priority,
    previousQueue: previous?.queue,
    overrideFired,
  });
  // A new conversation id for a known customer means the unifier closed the previous one on idle.
  const idle = previous ? await store.lock(previous.id) : undefined;
  const closed = idle ? (await closeConversation(ctx, store, idle, { cause: eventId, at, reason: 'idle' })).records : [];
  const channel = input.channel;
  const dueAt = ctx.sla.dueAt(at, route.queue, channel, route.priority, route.slaMs);
  const conv: Conversation = {
    id: data.conversation.id,
    customerId: customer.id,
    customer,
    status: 'waiting',
    queue: route.queue,
    priority: route.priority,
    channel,
    channels: [channel],
    lastInboundChannel: channel,
    lastInboundAt: at,
    openedAt: possibleTime(data.conversation.openedAt, at, ctx.now()),
    generation: 1,
    slaStartedAt: at,
    slaDueAt: dueAt,
    slaBreached: false,
    firstResponseAt: null,
    closedAt: null,
    mergedInto: null,
  };
  await store.save(conv);
  await store.upsertDeadline(deadlineId(conv.id, 1), conv.id, dueAt);
  const id = routingEventId(eventId, 'assigned', conv.id);
  const why = { ruleIds: outcome.ruleIds, matchedTerms: outcome.matchedTerms, tags: outcome.tags };
  await store.appendHistory({ conversationId: conv.id, eventId: id, type: 'assigned', reason: route.reason, queue: conv.queue, priority: conv.priority, slaDueAt: dueAt, ...why, at });
  ctx.metrics.decisions.inc({ type: 'assigned', reason: route.reason, queue: conv.queue });
  // New conversations feed the surge watch, checked once per batch (see watchSurges).
  for (const hit of outcome.hits) surge.push({ ...hit, conversationId: conv.id, at });
  return [
    ...closed,
    routingRecord(
      'kanal.conversation.assigned.v1',
      id,
      customer.id,
      {
        conversationId: conv.id,
        customer,
        channel,
        queue: conv.queue,
        priority: conv.priority,
        slaDueAt: dueAt.toISOString(),
        reason: route.reason,
        ...why,
        recent: data.recent,
        assignedAt: at.toISOString(),
      },
      at.toISOString(),
    ),
  ];
}
