import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message } from 'kafkajs';
import type { BusMetrics } from '@kanal/observability';
import type { BusAlerts } from './bus-alerts';
import { deadLetter, type Failure } from './dead-letter-step';
import { errorCode } from './errors';
import type { IncomingRecord, RejectedRecord, SubscribeOptions, Subscription } from './event-bus.port';
import { handleWithRetries, messageOf } from './handler-retries';
import type { BusLogger } from './kafkajs-client';
import type { ParkingLot } from './parking-lot.port';
import { PartitionJoiner } from './partition-joiner';
import { PartitionProgress } from './partition-progress';
import { decodeRecord } from './record-codec';
import { runWithTraceparent } from '@kanal/observability';
import { withHeartbeats } from './with-heartbeats';

export type SubscriptionState = 'starting' | 'running' | 'crashed' | 'stopped';

export interface SubscriptionDeps {
  kafka: Kafka;
  /** Publishes dead letters with acks=-1; a failure aborts the batch so it is redelivered. */
  sendDeadLetters: (messages: Message[]) => Promise<void>;
  /** Where records go that the DLQ refuses for good; without it such a partition stalls (and shows as stuck). */
  parkingLot?: ParkingLot;
  alerts?: () => BusAlerts | undefined;
  /** KAFKA_STUCK_AFTER_MS and the clock it is measured with. */
  stuckAfterMs: number;
  now?: () => number;
  source: string;
  maxAttempts: number;
  sessionTimeoutMs: number;
  logger: BusLogger;
  metrics?: BusMetrics;
  /** Maps a physical topic name back to the contract name the handler knows. */
  logicalTopic: (topic: string) => string;
}

interface Decoded {
  valid: Array<{ record: IncomingRecord; message: KafkaMessage }>;
  failures: Failure[];
}

/** One partition's chunk waiting for a joint handler call. */
interface JoinedChunk {
  payload: EachBatchPayload;
  decoded: Decoded;
  /** Offset of the chunk's last message. */
  last: string;
}

/** committed: handled and committed jointly; alone: go the per-partition way; abandoned: leave uncommitted. */
type JoinOutcome = 'committed' | 'alone' | 'abandoned';

/** One consumer group member: decode → handler → dead letters → commit, per partition batch. */
export class KafkajsSubscription implements Subscription {
  state: SubscriptionState = 'starting';
  private consumer: Consumer | undefined;
  private stopping = false;
  private readonly joiner: PartitionJoiner<JoinedChunk, JoinOutcome> | undefined;
  /** Lag and last progress of every assigned partition (what "stuck" is judged from). */
  readonly progress: PartitionProgress;

  constructor(
    private readonly options: SubscribeOptions,
    private readonly deps: SubscriptionDeps,
  ) {
    this.progress = new PartitionProgress(deps.stuckAfterMs, deps.now);
    if (options.joinPartitions && (options.partitionsConcurrently ?? 1) > 1)
      this.joiner = new PartitionJoiner(options.maxBatchSize ?? 500, (chunks) => this.processJoined(chunks));
  }

  get groupId(): string {
    return this.options.groupId;
  }

  async start(physicalTopics: string[]): Promise<void> {
    const { kafka, logger } = this.deps;
    const consumer = kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.deps.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(this.deps.sessionTimeoutMs / 3)),
      maxWaitTimeInMs: 250,
      // A crash (e.g. the broker went away) restarts the member; uncommitted work is redelivered.
      retry: {
        initialRetryTime: 300,
        maxRetryTime: 5_000,
        retries: 10,
        restartOnFailure: async (error) => {
          logger.warn({ groupId: this.groupId, err: error.message }, 'consumer crashed; restarting');
          return !this.stopping;
        },
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.state = 'running';
      this.progress.assigned(e.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.state = e.payload.restart ? 'starting' : 'crashed';
      if (e.payload.restart || this.stopping) return;
      // kafkajs gives up on a non-retriable crash (e.g. UNKNOWN_MEMBER_ID after an eviction) and
      // the service would consume nothing until restarted: a new member joins instead, and what
      // was not committed is redelivered (every handler is idempotent).
      logger.error({ groupId: this.groupId, err: e.payload.error.message }, 'consumer stopped by kafkajs; rejoining');
      setTimeout(() => {
        if (this.stopping || this.consumer !== consumer) return;
        this.start(physicalTopics).catch((error: Error) =>
          logger.error({ groupId: this.groupId, err: error.message }, 'rejoining failed'),
        );
      }, 2_000).unref();
    });
    consumer.on(consumer.events.STOP, () => (this.state = 'stopped'));
    await consumer.connect();
    await consumer.subscribe({ topics: physicalTopics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // kafkajs waits for the running eachBatch before leaving the group, so in-flight work commits.
    await this.consumer?.disconnect();
    this.state = 'stopped';
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale, heartbeat } = payload;
    const size = this.options.maxBatchSize ?? 500;
    if (batch.messages.length > 0) {
      this.progress.fetched(batch.topic, batch.partition, batch.highWatermark, batch.messages[0]!.offset);
    }
    for (let i = 0; i < batch.messages.length; i += size) {
      if (!isRunning() || isStale() || this.stopping) return;
      const chunk = batch.messages.slice(i, i + size);
      const decoded = this.decode(batch.topic, batch.partition, chunk);
      const last = chunk[chunk.length - 1]!.offset;
      const joined = this.joiner ? await this.joiner.submit({ payload, decoded, last }, chunk.length) : 'alone';
      if (joined === 'abandoned') return;
      if (joined === 'alone') {
        // Not joined, or the joint call failed: this partition retries (and isolates) on its own.
        const done = await this.processDecoded(decoded, payload);
        if (!done) return; // stopping or rebalancing: leave the rest uncommitted for redelivery
        await this.commit([{ payload, last }]);
      }
      const lag = BigInt(batch.highWatermark) - BigInt(last) - 1n;
      this.deps.metrics?.setLag(batch.topic, batch.partition, Number(lag < 0n ? 0n : lag));
      await heartbeat();
    }
  }

  /**
   * One handler call for several partitions' chunks (`joinPartitions`): one transaction, one
   * publish and one offset commit where there would be one per partition. Any failure of the
   * call sends every chunk back to its own retry path, so retries, backoff and poison isolation
   * stay per partition exactly as without joining.
   */
  private async processJoined(chunks: JoinedChunk[]): Promise<JoinOutcome[]> {
    const { metrics } = this.deps;
    const abandoned = (c: JoinedChunk) => !c.payload.isRunning() || c.payload.isStale() || this.stopping;
    const live = chunks.filter((c) => !abandoned(c));
    const owner = new Map<IncomingRecord, { chunk: JoinedChunk; message: KafkaMessage }>();
    for (const chunk of live) for (const v of chunk.decoded.valid) owner.set(v.record, { chunk, message: v.message });
    const records = [...owner.keys()];
    let rejected: RejectedRecord[] = [];
    if (records.length > 0) {
      const topic = live[0]!.payload.batch.topic;
      const started = performance.now();
      try {
        const result = await withHeartbeats(live[0]!.payload.heartbeat, () =>
          runWithTraceparent(records[0]!.traceparent, () => this.options.handler(records)),
        );
        metrics?.observeHandler(topic, (performance.now() - started) / 1000);
        rejected = result?.rejected ?? [];
      } catch (error) {
        metrics?.failed(topic, errorCode(error));
        return chunks.map((c) => (abandoned(c) ? 'abandoned' : 'alone'));
      }
    }
    const failures = new Map<JoinedChunk, Failure[]>(live.map((c) => [c, [...c.decoded.failures]]));
    for (const r of rejected) {
      const found = owner.get(r.record);
      failures
        .get(found?.chunk ?? live[0]!)!
        .push({ message: found?.message ?? messageOf(r.record), code: r.code, reason: r.message, attempts: 1 });
    }
    await this.deadLetter(live.map((c) => ({ payload: c.payload, failures: failures.get(c)! })));
    // A partition taken away meanwhile is not committed: its new owner redoes it (idempotent).
    const committable = live.filter((c) => !abandoned(c));
    await this.commit(committable);
    return chunks.map((c) => (committable.includes(c) ? 'committed' : 'abandoned'));
  }

  /** Commits past each chunk's last offset, all partitions in one request. */
  private async commit(chunks: Array<{ payload: EachBatchPayload; last: string }>): Promise<void> {
    if (chunks.length === 0) return;
    await this.consumer!.commitOffsets(
      chunks.map(({ payload, last }) => ({
        topic: payload.batch.topic,
        partition: payload.batch.partition,
        offset: (BigInt(last) + 1n).toString(),
      })),
    );
    for (const { payload, last } of chunks) {
      payload.resolveOffset(last);
      const { topic, partition, highWatermark } = payload.batch;
      this.progress.committed(topic, partition, highWatermark, (BigInt(last) + 1n).toString());
    }
  }

  /** Publishes the dead letters of every partition in one send (parking what the DLQ refuses). */
  private async deadLetter(entries: Array<{ payload: EachBatchPayload; failures: Failure[] }>): Promise<void> {
    const { sendDeadLetters, parkingLot, source, logger, metrics, alerts } = this.deps;
    await deadLetter(
      entries.map(({ payload, failures }) => ({
        topic: payload.batch.topic,
        partition: payload.batch.partition,
        failures,
      })),
      { send: sendDeadLetters, parkingLot, source, groupId: this.groupId, logger, metrics, alerts },
    );
  }

  private decode(topic: string, partition: number, messages: KafkaMessage[]): Decoded {
    const failures: Failure[] = [];
    const valid: Decoded['valid'] = [];
    for (const message of messages) {
      const decoded = decodeRecord(this.deps.logicalTopic(topic), partition, message);
      if (decoded.ok) {
        valid.push({ record: decoded.record, message });
        this.deps.metrics?.eventsIn(topic, decoded.record.event.type);
      } else {
        failures.push({ message, code: decoded.code, reason: decoded.message, attempts: 0 });
      }
    }
    return { valid, failures };
  }

  /** Returns false when processing was abandoned (nothing from this chunk may be committed). */
  private async processDecoded(decoded: Decoded, payload: EachBatchPayload): Promise<boolean> {
    const { maxAttempts, logger, metrics } = this.deps;
    const outcome = await handleWithRetries(decoded.valid, payload, {
      handler: this.options.handler,
      maxAttempts,
      groupId: this.groupId,
      logger,
      metrics,
      stopping: () => this.stopping,
    });
    if (outcome === 'abandoned') return false;
    await this.deadLetter([{ payload, failures: [...decoded.failures, ...outcome] }]);
    return true;
  }
}
