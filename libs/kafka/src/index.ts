export type {
  BatchHandler,
  BusHealth,
  EventBus,
  EventPublisher,
  IncomingRecord,
  OutgoingRecord,
  RejectedRecord,
  SubscribeOptions,
  Subscription,
} from './event-bus.port';
export {
  BUS_ERROR_CODES,
  BusError,
  BusUnavailableError,
  DependencyUnavailableError,
  NonRetriableError,
  RecordTooLargeError,
  errorCode,
} from './errors';
export type { ParkedRecord, ParkingLot } from './parking-lot.port';
export type { StuckPartition } from './partition-progress';
export { MAX_REQUEST_BYTES, recordBytes } from './record-size';
export { kafkaEnv, kafkaEnvSchema, topicEnv, topicEnvSchema, type KafkaEnv, type TopicEnv } from './kafka-env';
export type { BusLogger } from './kafkajs-client';
export { KafkajsEventBus, type KafkajsEventBusOptions } from './kafkajs-event-bus';
export { MAX_RECORD_BYTES } from './kafkajs-publisher';
// Trace context lives in observability (HTTP starts traces too); re-exported for the bus's users.
export { childTraceparent, currentTraceparent, newTraceparent, runWithTraceparent } from '@kanal/observability';
export {
  consumerGroupLag,
  createIsolatedTopics,
  groupProgress,
  removeIsolatedTopics,
  listTopicNames,
  createTopics,
  deleteTopicsMatching,
  listTopics,
  planTopics,
  type TopicPlan,
  type TopicStatus,
} from './topic-admin';
export {
  DLQ_REPLAY_CODES,
  readDlq,
  replayDlq,
  type DlqEntry,
  type Renormalize,
  type ReplayOptions,
  type ReplayOutcome,
} from './dlq-tools';
