import {
  buildEvent,
  customerEventId,
  TOPICS,
  type Identity,
  type KanalEvent,
  type RecentMessage,
} from '@kanal/contracts';
import type { ConversationRow } from '../store/pg-conversations';
import type { CustomerRow, MergeOutcome, Suggestion } from '../store/pg-identity-graph';
import { suggestionIdOf } from '../store/pg-link-suggestions';
import type { OutboxEntry } from '../store/pg-outbox';

const SOURCE = 'kanal/unifier';

export function customerSummary(customer: CustomerRow, identities: Identity[]) {
  return {
    id: customer.id,
    ...(customer.display_name ? { displayName: customer.display_name } : {}),
    identities,
    attributes: customer.attributes ?? {},
    createdAt: customer.created_at.toISOString(),
  };
}

export function conversationSummary(c: ConversationRow) {
  return {
    id: c.id,
    openedAt: c.opened_at.toISOString(),
    channels: c.channels as KanalEvent<'kanal.customer.message.v1'>['data']['conversation']['channels'],
    messageCount: c.message_count,
  };
}

const out = (key: string, event: KanalEvent): OutboxEntry => ({ key, event });

export function mergedEvent(
  merge: MergeOutcome,
  survivor: ReturnType<typeof customerSummary>,
  fold: { kept?: string; folded: string[] },
): OutboxEntry {
  return out(
    merge.survivorId,
    buildEvent({
      type: 'kanal.customer.merged.v1',
      id: customerEventId('merged', merge.mergeId),
      source: SOURCE,
      subject: merge.survivorId,
      data: {
        mergeId: merge.mergeId,
        survivorId: merge.survivorId,
        mergedId: merge.mergedId,
        evidence: merge.evidence,
        customer: survivor,
        ...(fold.kept ? { conversationId: fold.kept } : {}),
        foldedConversationIds: fold.folded,
        mergedAt: new Date().toISOString(),
      },
    }),
  );
}

export function suggestionEvent(s: Suggestion, sourceEventId: string | undefined): OutboxEntry {
  const suggestionId = suggestionIdOf(s, sourceEventId);
  return out(
    s.customerId,
    buildEvent({
      type: 'kanal.customer.link-suggested.v1',
      id: suggestionId,
      source: SOURCE,
      subject: s.customerId,
      data: {
        suggestionId,
        customerId: s.customerId,
        ...(s.candidateCustomerId ? { candidateCustomerId: s.candidateCustomerId } : {}),
        identity: s.identity,
        reason: s.reason,
        ...(s.detail ? { detail: s.detail } : {}),
        ...(sourceEventId ? { sourceEventId } : {}),
        suggestedAt: new Date().toISOString(),
      },
    }),
  );
}

export type UnifiedKind = KanalEvent<'kanal.customer.message.v1'>['data']['kind'];

export function unifiedEvent(input: {
  kind: UnifiedKind;
  source: { eventId: string; type: string };
  customer: ReturnType<typeof customerSummary>;
  conversation: ConversationRow;
  messageId: string;
  message: unknown;
  recent: RecentMessage[];
  traceTime?: string;
}): OutboxEntry {
  return out(
    input.customer.id,
    buildEvent({
      type: 'kanal.customer.message.v1',
      // Derived from the input event id: a redelivered input re-emits the same unified id.
      id: customerEventId('message', input.source.eventId),
      source: SOURCE,
      subject: input.customer.id,
      data: {
        kind: input.kind,
        customer: input.customer,
        conversation: conversationSummary(input.conversation),
        messageId: input.messageId,
        source: { ...input.source, topic: TOPICS.inbound },
        message: input.message,
        recent: input.recent,
      } as KanalEvent<'kanal.customer.message.v1'>['data'],
    }),
  );
}
