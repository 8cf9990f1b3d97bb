import type { z } from 'zod';
import { cloudEventSchema, type CloudEvent } from './cloud-event';
import {
  customerLinkSuggestedDataSchema,
  customerMergedDataSchema,
  customerMessageDataSchema,
  customerSplitDataSchema,
  customerUpdatedDataSchema,
} from './events/customer-events';
import { dlqRecordDataSchema } from './events/dlq-record';
import {
  attachmentStoredDataSchema,
  messageDataSchema,
  messageDeletedDataSchema,
  messageEditedDataSchema,
  messageStatusDataSchema,
  reactionChangedDataSchema,
} from './events/inbound-message';
import {
  conversationAssignedDataSchema,
  conversationClosedDataSchema,
  conversationUpdatedDataSchema,
  incidentSuspectedDataSchema,
  slaBreachedDataSchema,
} from './events/routing-events';
import { TOPICS, type TopicName } from './topics';

/** Every event type of the contract: its topic, the `data` schema and one line for the docs. */
export const EVENT_TYPES = {
  'kanal.message.received.v1': {
    topic: TOPICS.inbound,
    data: messageDataSchema,
    summary: 'A customer message arrived on a channel.',
  },
  'kanal.message.sent.v1': {
    topic: TOPICS.inbound,
    data: messageDataSchema,
    summary: 'A message the business sent on a channel (outbound echo); it stops the SLA clock.',
  },
  'kanal.message.edited.v1': {
    topic: TOPICS.inbound,
    data: messageEditedDataSchema,
    summary: 'The text of an earlier message (`target`) was edited.',
  },
  'kanal.message.deleted.v1': {
    topic: TOPICS.inbound,
    data: messageDeletedDataSchema,
    summary: 'An earlier message (`target`) was deleted or revoked.',
  },
  'kanal.reaction.changed.v1': {
    topic: TOPICS.inbound,
    data: reactionChangedDataSchema,
    summary: 'A reaction on a message was set (`emoji`) or removed (no `emoji`).',
  },
  'kanal.message.status.v1': {
    topic: TOPICS.inbound,
    data: messageStatusDataSchema,
    summary: 'Delivery status of a message: sent, delivered, read, played or failed.',
  },
  'kanal.attachment.stored.v1': {
    topic: TOPICS.inbound,
    data: attachmentStoredDataSchema,
    summary: 'Media of an earlier message (`target`) was fetched and stored; carries the blob references.',
  },
  'kanal.customer.message.v1': {
    topic: TOPICS.customers,
    data: customerMessageDataSchema,
    summary: 'An inbound event enriched with its customer, conversation and recent history.',
  },
  'kanal.customer.merged.v1': {
    topic: TOPICS.customers,
    data: customerMergedDataSchema,
    summary: 'Two customers were merged; the older survives and the other id redirects to it.',
  },
  'kanal.customer.split.v1': {
    topic: TOPICS.customers,
    data: customerSplitDataSchema,
    summary: 'A merge was undone: identities and their messages moved to a separate customer.',
  },
  'kanal.customer.link-suggested.v1': {
    topic: TOPICS.customers,
    data: customerLinkSuggestedDataSchema,
    summary: 'Evidence that two customers may be one, for an agent to review (never merged automatically).',
  },
  'kanal.customer.updated.v1': {
    topic: TOPICS.customers,
    data: customerUpdatedDataSchema,
    summary: 'An agent or integrator changed the display name or attributes; carries the customer after the change.',
  },
  'kanal.conversation.assigned.v1': {
    topic: TOPICS.routing,
    data: conversationAssignedDataSchema,
    summary: 'A conversation was routed to a queue with a priority and an SLA deadline.',
  },
  'kanal.conversation.updated.v1': {
    topic: TOPICS.routing,
    data: conversationUpdatedDataSchema,
    summary: 'Queue or priority changed (repeat contact, override rule, merge) or the first response came.',
  },
  'kanal.sla.breached.v1': {
    topic: TOPICS.routing,
    data: slaBreachedDataSchema,
    summary: 'A first-response deadline passed without a response (fired once per deadline).',
  },
  'kanal.conversation.closed.v1': {
    topic: TOPICS.routing,
    data: conversationClosedDataSchema,
    summary: 'A conversation was closed.',
  },
  'kanal.incident.suspected.v1': {
    topic: TOPICS.routing,
    data: incidentSuspectedDataSchema,
    summary: 'New conversations matching one rule or term surged above the configured rate.',
  },
  'kanal.dlq.record.v1': {
    topic: TOPICS.dlq,
    data: dlqRecordDataSchema,
    summary: 'A record that could not be processed: the original bytes, its source and the error code.',
  },
} as const satisfies Record<string, { topic: TopicName; data: z.ZodType; summary: string }>;

export type EventType = keyof typeof EVENT_TYPES;
export const ALL_EVENT_TYPES = Object.keys(EVENT_TYPES) as EventType[];

export type EventData<T extends EventType> = z.output<(typeof EVENT_TYPES)[T]['data']>;
export type KanalEvent<T extends EventType = EventType> = T extends EventType ? CloudEvent<T, EventData<T>> : never;

/** Full CloudEvent schema (envelope + data) of one event type. */
export function eventSchema<T extends EventType>(type: T) {
  return cloudEventSchema(type, EVENT_TYPES[type].data);
}

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_TYPES, type);
}
