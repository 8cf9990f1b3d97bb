import type { CloudEvent } from '@kanal/contracts';
import type { Registry } from '@kanal/observability';

/** One event to publish. `key` decides the partition, hence the ordering unit. */
export interface OutgoingRecord {
  topic: string;
  key: string;
  event: CloudEvent;
  headers?: Record<string, string>;
  /** `JSON.stringify(event)` when the caller has it already (saves serialising twice on hot paths). */
  value?: string;
}

/** One decoded, schema-valid event handed to a handler. */
export interface IncomingRecord<E extends CloudEvent = CloudEvent> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** W3C trace context of the record; publishes made inside the handler continue it. */
  traceparent: string;
  event: E;
}

/** A record the handler could not process and that must not be retried (it goes to the DLQ). */
export interface RejectedRecord {
  record: IncomingRecord;
  code: string;
  message: string;
}

/**
 * Handles one batch of records from one partition (several with `joinPartitions`), in offset order
 * within each partition. Resolving means every effect
 * is durable: only then are the offsets committed. Throwing retries the batch (bounded, with
 * backoff); returning `rejected` dead-letters those records and commits past them.
 */
export type BatchHandler = (records: IncomingRecord[]) => Promise<void | { rejected?: RejectedRecord[] }>;

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  handler: BatchHandler;
  /** Start from the earliest offset when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** How many partitions are handled concurrently (default 1). Order within a partition is kept. */
  partitionsConcurrently?: number;
  /** Most records given to one handler call (default 500). */
  maxBatchSize?: number;
  /**
   * Hand the partitions of one fetch to one handler call (up to `maxBatchSize` records; needs
   * `partitionsConcurrently` > 1). For handlers whose cost is mostly per call (a transaction, a
   * publish): at moderate load a fetch brings a few records from each partition, and one call for
   * all of them replaces one per partition. A failed joint call falls back to per-partition retries.
   */
  joinPartitions?: boolean;
}

export interface Subscription {
  readonly groupId: string;
  /** Stops fetching, waits for the batch in flight to finish and commit, leaves the group. */
  stop(): Promise<void>;
}

export interface BusHealth {
  /** False when the broker, the producer or a consumer is down, or a partition is stuck. */
  ok: boolean;
  producer: 'connected' | 'disconnected';
  consumers: Array<{ groupId: string; state: 'running' | 'starting' | 'crashed' | 'stopped' }>;
  broker: 'reachable' | 'unreachable';
  /** Partitions with lag and no progress for KAFKA_STUCK_AFTER_MS (a poison record, a handler failing forever). */
  stuck: Array<{ groupId: string; topic: string; partition: number; lag: number; stalledMs: number }>;
}

export interface EventPublisher {
  /** Resolves once every record is acknowledged by all in-sync replicas (acks=-1). */
  publish(records: OutgoingRecord[]): Promise<void>;
}

export interface EventBus extends EventPublisher {
  start(): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  health(): Promise<BusHealth>;
  /** Registers the bus's own alert metrics (parked records, stuck partitions) on the service registry. */
  instrument?(registry: Registry): void;
  /** Drains subscriptions first (no new work), then flushes and closes the producer. */
  stop(): Promise<void>;
}
