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
export {
  SANITIZE_ERROR_CODE,
  assertStorableIdentifier,
  cutText,
  hasBidiControls,
  isStorableText,
  prefixByUnits,
  sanitizeName,
  sanitizeText,
  type SanitizedText,
} from './sanitize-text';
export {
  EARLIEST_EVENT_TIME,
  EVENT_TIME_FUTURE_MS,
  boundedEventTime,
  checkEventTime,
  type EventTimeCheck,
  type EventTimeProblem,
} from './event-time';
export { storableMessage, type StorableIssue, type StorableMessage } from './storable-message';
export {
  FULL_TEXT_MAX_BYTES,
  MESSAGE_MAX_BYTES,
  TEXT_MAX_BYTES,
  exceededLimit,
  jsonBytes,
  type MessageTooLarge,
} from './message-limits';
export { prefixByJsonBytes } from './prefix-by-json-bytes';
export {
  STORABLE_INBOUND_FLAGS,
  STORABLE_INBOUND_REFUSALS,
  toStorableInbound,
  type StorableInbound,
  type StorableInboundOptions,
  type StorableInboundRefusal,
} from './storable-inbound';
