import { randomUUID } from 'node:crypto';
import type { InboundData, KanalEvent, MessageData } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import type { Blocklist } from '../identity/blocklist';
import { findMentionedIdentities } from '../identity/find-mentioned-identities';
import type { IdentityPolicy } from '../identity/identity-policy';
import { applyStateEvent, STATE_KINDS } from '../message-state';
import { conversationById, conversationFor, recordMessageIn, type ConversationRow } from '../store/pg-conversations';
import {
  identitiesOf,
  lockCustomers,
  lockKeys,
  messageLockKey,
  ownersOf,
  type CustomerRow,
  type Suggestion,
} from '../store/pg-identity-graph';
import {
  findMessage,
  insertMessage,
  recentMessages,
  takePendingStateEvents,
  updateMessageState,
  type MessageRow,
} from '../store/pg-messages';
import { recordSuggestions } from '../store/pg-link-suggestions';
import { recordedOutputs, recordOutputs, type OutboxEntry } from '../store/pg-outbox';
import { customerSummary, mergedEvent, suggestionEvent, unifiedEvent } from './customer-events';
import { batchBlocklist } from './learn-business-identities';
import { resolveCustomer } from './resolve-customer';
import { unifyMessagesInBulk, type MessageEvent } from './unify-messages-in-bulk';

export interface UnifyContext {
  policy: IdentityPolicy;
  idleHours: number;
  defaultRegion: string;
  /** Counts state events parked until their message arrives. */
  onPending?: () => void;
}

/** The context of one batch: the configuration and the batch's blocked values. */
export interface BatchContext extends UnifyContext {
  blocklist: Blocklist;
}

type InboundEvent = KanalEvent & { data: InboundData };

/**
 * Inbound events → durable effects + the customer events they produce, in the caller's
 * transaction. A redelivered event (or a repeat inside the batch) returns the outputs recorded
 * the first time, so it re-emits the same ids and changes nothing.
 */
export async function unifyInboundEvents(
  client: PoolClient,
  events: InboundEvent[],
  ctx: UnifyContext,
): Promise<OutboxEntry[]> {
  const done = await recordedOutputs(client, [...new Set(events.map((e) => e.id))]);
  const todo = [...new Map(events.filter((e) => !done.has(e.id)).map((e) => [e.id, e])).values()];
  const batch: BatchContext = { ...ctx, blocklist: await batchBlocklist(client, todo, ctx.policy) };
  const fresh: Array<[string, OutboxEntry[]]> = [];
  for (let i = 0; i < todo.length; ) {
    const run = messageRun(todo, i);
    if (run.length >= 2) {
      const taken = await unifyMessagesInBulk(client, run, batch, (m, e, s, c) => applyOne(client, m, e, s, c));
      fresh.push(...taken);
      i += taken.length;
      if (taken.length > 0) continue;
    }
    const event = todo[i++]!;
    fresh.push([
      event.id,
      isMessage(event) ? await unifyMessage(client, event, batch) : await applyToTarget(client, event, batch),
    ]);
  }
  for (const [id, outputs] of fresh) done.set(id, outputs);
  await recordOutputs(client, fresh);
  // Input order, repeats included: a repeat re-emits the first copy's outputs (same ids).
  return events.flatMap((e) => done.get(e.id)!.map((o) => ({ ...o, sourceEventId: e.id })));
}

const isMessage = (e: InboundEvent): e is MessageEvent =>
  e.type === 'kanal.message.received.v1' || e.type === 'kanal.message.sent.v1';

/** The consecutive messages from `start` (state events break a run: they must see what precedes them). */
function messageRun(events: InboundEvent[], start: number): MessageEvent[] {
  let end = start;
  while (end < events.length && isMessage(events[end]!)) end++;
  return events.slice(start, end) as MessageEvent[];
}

async function unifyMessage(client: PoolClient, event: MessageEvent, ctx: BatchContext) {
  const data = event.data;
  // On an outbound echo the customer is the recipient.
  const party = data.direction === 'outbound' ? data.recipient : data.sender;
  // The message's own key too: a state event aimed at it waits for its insert (or parks first).
  const lockKey = messageLockKey(data.channel, data.accountId, data.externalId);
  const blockedBy = ctx.blocklist.forEvent(event.id);
  const resolution = await resolveCustomer(client, data, party, ctx.policy, blockedBy, event.id, [lockKey]);
  const { customer, identities, merges, suggestions } = resolution;
  const outputs: OutboxEntry[] = [];
  const at = new Date(data.occurredAt);
  let conversation = await conversationFor(client, customer.id, at, ctx.idleHours);
  const inserted = await insertMessage(client, {
    id: randomUUID(),
    customerId: customer.id,
    conversationId: conversation.id,
    sourceEventId: event.id,
    sourceType: event.type,
    senderIdentities: (party?.identities ?? []).map((i) => `${i.type}:${i.value}`),
    data,
  });
  const message = inserted ?? (await findMessage(client, data))!;
  if (inserted) conversation = await recordMessageIn(client, conversation, data.channel, at);
  else conversation = await conversationById(client, message.conversation_id);

  const summary = customerSummary(customer, identities);
  for (const m of merges) outputs.push(mergedEvent(m.merge, summary, m.fold));
  if (data.direction === 'inbound') suggestions.push(...(await mentioned(client, customer, data, identities, ctx)));
  for (const s of await firstTimeOnly(client, suggestions, event.id)) outputs.push(suggestionEvent(s, event.id));
  const recent = await recentMessages(client, customer.id);
  const kind = event.type === 'kanal.message.sent.v1' ? 'sent' : 'received';
  outputs.push(
    unifiedEvent({
      kind,
      source: { eventId: event.id, type: event.type },
      customer: summary,
      conversation,
      messageId: message.id,
      message: data,
      recent,
    }),
  );
  if (inserted) outputs.push(...(await applyPending(client, message, summary, conversation)));
  return outputs;
}

async function applyToTarget(client: PoolClient, event: InboundEvent, ctx: UnifyContext): Promise<OutboxEntry[]> {
  const data = event.data as InboundData & { target: { externalId: string } };
  // Same lock as the message's insert: a state event and its message never miss each other.
  await lockKeys(client, [messageLockKey(data.channel, data.accountId, data.target.externalId)]);
  const target = await findMessage(client, { ...data, externalId: data.target.externalId }, { lock: true });
  if (!target) {
    // Kept, not dropped: applied when the message arrives (statuses can outrun their message).
    await client.query(
      `INSERT INTO pending_state_events (event_id, channel, account_id, target_external_id, event)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [event.id, data.channel, data.accountId, data.target.externalId, JSON.stringify(event)],
    );
    ctx.onPending?.();
    return [];
  }
  const [customer] = await lockCustomers(client, [target.customer_id]);
  const summary = customerSummary(customer!, await identitiesOf(client, customer!.id));
  return [await applyOne(client, target, event, summary, await conversationById(client, target.conversation_id))];
}

async function applyOne(
  client: PoolClient,
  target: MessageRow,
  event: InboundEvent,
  summary: ReturnType<typeof customerSummary>,
  conversation: ConversationRow,
): Promise<OutboxEntry> {
  const kind = STATE_KINDS[event.type]!;
  const next = applyStateEvent(kind, target.state, target.text, event.data as InboundData & Record<string, unknown>);
  await updateMessageState(client, target.id, next.state, next.text);
  target.state = next.state;
  if (next.text !== undefined) target.text = next.text;
  const recent = await recentMessages(client, summary.id);
  return unifiedEvent({
    kind,
    source: { eventId: event.id, type: event.type },
    customer: summary,
    conversation,
    messageId: target.id,
    message: event.data,
    recent,
  });
}

async function applyPending(
  client: PoolClient,
  message: MessageRow,
  summary: ReturnType<typeof customerSummary>,
  conversation: ConversationRow,
): Promise<OutboxEntry[]> {
  const ref = { channel: message.channel, accountId: message.account_id, externalId: message.external_id };
  const [parked = []] = (await takePendingStateEvents<InboundEvent>(client, [ref])).values();
  const outputs: OutboxEntry[] = [];
  for (const event of parked) outputs.push(await applyOne(client, message, event, summary, conversation));
  return outputs;
}

async function mentioned(
  client: PoolClient,
  customer: CustomerRow,
  data: MessageData,
  own: Array<{ type: string; value: string }>,
  ctx: UnifyContext,
): Promise<Suggestion[]> {
  const mine = new Set(own.map((i) => `${i.type}:${i.value}`));
  const found = findMentionedIdentities(data.text, ctx.defaultRegion).filter((i) => !mine.has(`${i.type}:${i.value}`));
  const owners = await ownersOf(client, found);
  return found.map((identity) => {
    const owner = owners.get(`${identity.type}:${identity.value}`);
    return {
      customerId: customer.id,
      ...(owner && owner !== customer.id ? { candidateCustomerId: owner } : {}),
      identity,
      reason: 'mentioned-in-text' as const,
    };
  });
}

/** A suggestion is emitted once per customer, identity and reason, not on every message. */
async function firstTimeOnly(client: PoolClient, suggestions: Suggestion[], sourceEventId: string): Promise<Suggestion[]> {
  const fresh = await recordSuggestions(client, suggestions.map((suggestion) => ({ suggestion, sourceEventId })));
  return suggestions.filter((_, i) => fresh[i]);
}
