import { randomUUID } from 'node:crypto';
import type { Identity, InboundData, KanalEvent, MessageData } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import { blockedCandidate, blockedDetail, notePresentation } from '../identity/blocked-candidate';
import { findMentionedIdentities } from '../identity/find-mentioned-identities';
import { blockedValueTies, recordPresentations } from '../store/pg-blocked-presentations';
import { openConversationsForUpdate, type ConversationRow } from '../store/pg-conversations';
import {
  customersForUpdate,
  fillDisplayNames,
  identitiesOfMany,
  insertCustomers,
  insertIdentities,
  lockKeys,
  messageLockKey,
  ownersOf,
  type CustomerRow,
  type Suggestion,
} from '../store/pg-identity-graph';
import { recordSuggestions } from '../store/pg-link-suggestions';
import {
  insertMessages,
  messageKey,
  recentMessagesOfMany,
  storedMessageKeys,
  takePendingStateEvents,
  type MessageRow,
  type NewMessage,
} from '../store/pg-messages';
import type { OutboxEntry } from '../store/pg-outbox';
import { ConversationPlan } from './conversation-plan';
import { customerSummary, suggestionEvent, unifiedEvent } from './customer-events';
import type { BatchContext } from './unify-inbound-event';

type InboundEvent = KanalEvent & { data: InboundData };
export type MessageEvent = InboundEvent & { data: MessageData };

/** Applies a state event that waited for its message (the per-message path's applyOne). */
export type ApplyParked = (
  message: MessageRow,
  event: InboundEvent,
  summary: ReturnType<typeof customerSummary>,
  conversation: ConversationRow,
) => Promise<OutboxEntry>;

interface CustomerState {
  row: CustomerRow;
  identities: Identity[];
  isNew: boolean;
  nameFilled: boolean;
}

interface Planned {
  event: MessageEvent;
  customer: CustomerState;
  summary: ReturnType<typeof customerSummary>;
  conversation: ConversationRow;
  message: NewMessage;
  suggestions: Suggestion[];
}

const idKey = (i: Identity) => `${i.type}:${i.value}`;
const partyOf = (d: MessageData) => (d.direction === 'outbound' ? d.recipient : d.sender);

/**
 * The set-based path for a run of new messages: every read and write is one statement for the whole
 * run (about fifteen round trips for hundreds of messages instead of about ten per message). It plans
 * the messages in order in memory and stops at the first one that needs what only the per-message
 * path does (a merge of two customers, a thread-owned customer, a message stored before); the
 * caller hands that one to the per-message path and calls again with the rest.
 *
 * Returns the outputs of the prefix it took, in input order (empty when it took none).
 */
export async function unifyMessagesInBulk(
  client: PoolClient,
  events: MessageEvent[],
  ctx: BatchContext,
  applyParked: ApplyParked,
): Promise<Array<[string, OutboxEntry[]]>> {
  const parties = events.map((e) => dedupe(partyOf(e.data)?.identities ?? []));
  const linkable = parties.map((ids, n) => ids.filter((i) => !ctx.blocklist.sourceFor(i, events[n]!.id)));
  const blocked = parties.map((ids, n) =>
    ids.flatMap((identity) => {
      const source = ctx.blocklist.sourceFor(identity, events[n]!.id);
      return source ? [{ identity, source }] : [];
    }),
  );
  // Every key the run may touch, in one sorted statement: bulk callers cannot deadlock each other.
  await lockKeys(client, [
    ...linkable.flat().map(idKey),
    ...events.map((e) => messageLockKey(e.data.channel, e.data.accountId, e.data.externalId)),
  ]);
  const mentioned = events.map((e) =>
    e.data.direction === 'inbound' ? findMentionedIdentities(e.data.text, ctx.defaultRegion) : [],
  );
  const owners = await ownersOf(client, dedupe([...parties.flat(), ...mentioned.flat()]));
  const ties = await blockedValueTies(client, dedupe(blocked.flat().map((b) => b.identity)));
  const stored = await storedMessageKeys(client, events.map((e) => e.data));
  const ownerIds = [...new Set(linkable.flat().map((i) => owners.get(idKey(i))).filter((id): id is string => !!id))];
  const rows = await customersForUpdate(client, ownerIds);
  const live = [...rows.values()].filter((r) => !r.merged_into).map((r) => r.id);
  const identities = await identitiesOfMany(client, live);
  const open = await openConversationsForUpdate(client, live);

  const customers = new Map<string, CustomerState>();
  for (const id of live) {
    const { merged_into: _redirect, ...row } = rows.get(id)!;
    customers.set(id, { row, identities: identities.get(id)!, isNew: false, nameFilled: false });
  }
  const conversations = new ConversationPlan(open, ctx.idleHours);
  const newIdentities: Array<{ type: string; value: string; customerId: string }> = [];
  const seen = new Set<string>();
  const now = new Date();
  const planned: Planned[] = [];
  const presentations: Array<Identity & { customerId: string; at: Date }> = [];

  for (const [index, event] of events.entries()) {
    const data = event.data;
    const mine = linkable[index]!;
    const key = messageKey(data);
    if (mine.length === 0 || stored.has(key) || seen.has(key)) break;
    const owning = [...new Set(mine.map((i) => owners.get(idKey(i))).filter((id): id is string => !!id))];
    if (owning.length > 1 || (owning[0] && !customers.has(owning[0]))) break; // a merge or a redirect
    seen.add(key);
    const party = partyOf(data);
    let customer = owning[0] ? customers.get(owning[0])! : undefined;
    if (!customer) {
      const row = { id: randomUUID(), display_name: party?.displayName ?? null, attributes: {}, created_at: now };
      customer = { row, identities: [], isNew: true, nameFilled: false };
      customers.set(row.id, customer);
    }
    const suggestions: Suggestion[] = [];
    for (const identity of mine) {
      if (owners.has(idKey(identity))) continue;
      const over = ctx.policy.exceeded([...customer.identities, identity]);
      if (over) {
        suggestions.push({
          customerId: customer.row.id,
          identity,
          reason: 'limit-exceeded',
          detail: `limit for ${identity.type} reached`,
        });
        continue;
      }
      customer.identities.push(identity);
      owners.set(idKey(identity), customer.row.id);
      newIdentities.push({ ...identity, customerId: customer.row.id });
    }
    // The per-message path's suggestForBlocked, on the ties as they stand at this message.
    const at = new Date(data.occurredAt);
    for (const { identity, source } of blocked[index]!) {
      const valueTies = ties.get(idKey(identity))!;
      const owner = owners.get(idKey(identity));
      const candidate = blockedCandidate(customer.row.id, { ...(owner ? { owner } : {}), presenters: valueTies.presenters });
      suggestions.push({
        customerId: customer.row.id,
        ...(candidate ? { candidateCustomerId: candidate } : {}),
        identity,
        reason: 'blocked-identity',
        detail: blockedDetail(source),
      });
      notePresentation(valueTies, customer.row.id, at);
      presentations.push({ ...identity, customerId: customer.row.id, at });
    }
    if (!customer.row.display_name && party?.displayName) {
      customer.row.display_name = party.displayName;
      customer.nameFilled = !customer.isNew;
    }
    const own = new Set(customer.identities.map(idKey));
    for (const identity of mentioned[index]!.filter((i) => !own.has(idKey(i)))) {
      const owner = owners.get(idKey(identity));
      suggestions.push({
        customerId: customer.row.id,
        ...(owner && owner !== customer.row.id ? { candidateCustomerId: owner } : {}),
        identity,
        reason: 'mentioned-in-text',
      });
    }
    const conversation = conversations.add(customer.row.id, data.channel, new Date(data.occurredAt));
    planned.push({
      event,
      customer,
      summary: customerSummary({ ...customer.row }, [...customer.identities]),
      conversation,
      message: {
        id: randomUUID(),
        customerId: customer.row.id,
        conversationId: conversation.id,
        sourceEventId: event.id,
        sourceType: event.type,
        senderIdentities: (party?.identities ?? []).map(idKey),
        data,
      },
      suggestions,
    });
  }
  if (planned.length === 0) return [];

  // Writes in foreign-key order.
  const states = [...customers.values()];
  await insertCustomers(client, states.filter((c) => c.isNew).map((c) => c.row));
  await fillDisplayNames(
    client,
    states.filter((c) => c.nameFilled).map((c) => ({ id: c.row.id, name: c.row.display_name! })),
  );
  await insertIdentities(client, newIdentities);
  await conversations.write(client);
  await insertMessages(client, planned.map((p) => p.message));
  await recordPresentations(client, presentations);

  const fresh = await recordSuggestions(
    client,
    planned.flatMap((p) => p.suggestions.map((suggestion) => ({ suggestion, sourceEventId: p.event.id }))),
  );
  const parked = await takePendingStateEvents<InboundEvent>(client, planned.map((p) => p.event.data));
  const parkedOutputs = new Map<string, OutboxEntry[]>();
  for (const p of planned) {
    const waiting = parked.get(messageKey(p.event.data));
    if (!waiting) continue;
    const target = storedRow(p);
    const outputs: OutboxEntry[] = [];
    for (const event of waiting) outputs.push(await applyParked(target, event, p.summary, p.conversation));
    parkedOutputs.set(p.event.id, outputs);
  }

  // Each message's recent[] is the customer's history up to and including that message.
  const perCustomer = new Map<string, number>();
  for (const p of planned) perCustomer.set(p.customer.row.id, (perCustomer.get(p.customer.row.id) ?? 0) + 1);
  const history = await recentMessagesOfMany(
    client,
    [...perCustomer].map(([customerId, n]) => ({ customerId, limit: 5 + n })),
  );
  const laterInRun = new Set(planned.map((p) => p.message.id));
  let suggestionIndex = 0;
  return planned.map((p) => {
    laterInRun.delete(p.message.id);
    const outputs: OutboxEntry[] = [];
    for (const s of p.suggestions) if (fresh[suggestionIndex++]) outputs.push(suggestionEvent(s, p.event.id));
    const recent = history
      .get(p.customer.row.id)!
      .filter((m) => !laterInRun.has(m.id))
      .slice(0, 5)
      .map(({ id: _id, ...m }) => m);
    outputs.push(
      unifiedEvent({
        kind: p.event.type === 'kanal.message.sent.v1' ? 'sent' : 'received',
        source: { eventId: p.event.id, type: p.event.type },
        customer: p.summary,
        conversation: p.conversation,
        messageId: p.message.id,
        message: p.event.data,
        recent,
      }),
    );
    outputs.push(...(parkedOutputs.get(p.event.id) ?? []));
    return [p.event.id, outputs];
  });
}

/** The stored row of a message just inserted, as the state-event path reads it. */
function storedRow(p: Planned): MessageRow {
  const d = p.event.data;
  return {
    id: p.message.id,
    channel: d.channel,
    account_id: d.accountId,
    external_id: d.externalId,
    customer_id: p.customer.row.id,
    conversation_id: p.conversation.id,
    direction: d.direction,
    text: d.text ?? null,
    occurred_at: new Date(d.occurredAt),
    source_event_id: p.event.id,
    data: d,
    state: {},
  };
}

function dedupe(identities: Identity[]): Identity[] {
  return [...new Map(identities.map((i) => [idKey(i), i])).values()];
}
