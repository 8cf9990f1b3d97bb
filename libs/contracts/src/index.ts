export { ALL_TOPICS, TOPICS, topicName, type TopicKey, type TopicName } from './topics';
export {
  cloudEventEnvelopeSchema,
  cloudEventSchema,
  type CloudEvent,
  type CloudEventEnvelope,
} from './cloud-event';
export * from './channel';
export * from './identity';
export * from './event-id';
export * from './events/inbound-message';
export * from './events/customer-events';
export * from './events/routing-events';
export * from './events/dlq-record';
export {
  ALL_EVENT_TYPES,
  EVENT_TYPES,
  eventSchema,
  isEventType,
  type EventData,
  type EventType,
  type KanalEvent,
} from './event-types';
export { EVENT_ERROR_CODES, describeIssues, parseEvent, type ParseEventResult } from './parse-event';
export { buildEvent, buildInboundEvent, inboundKey, type BuildEventInput, type InboundEventType } from './build-event';
export {
  DEAD_LETTER_INLINE_BYTES,
  buildProviderDeadLetter,
  deadLetterNeedsBlob,
  type ProviderDeadLetterInput,
} from './provider-dead-letter';
