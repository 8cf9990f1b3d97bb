import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message } from 'kafkajs';
import { maskPii, type BusMetrics } from '@kanal/observability';
import { backoffDelay, sleepWithTicks } from './backoff';
import { toDlqMessage } from './dlq-record';
import { BUS_ERROR_CODES, DependencyUnavailableError, NonRetriableError, errorCode } from './errors';
import type { IncomingRecord, RejectedRecord, SubscribeOptions, Subscription } from './event-bus.port';
import type { BusLogger } from './kafkajs-client';
import { PartitionJoiner } from './partition-joiner';
import { decodeRecord } from './record-codec';
import { runWithTraceparent } from '@kanal/observability';

export type SubscriptionState = 'starting' | 'running' | 'crashed' | 'stopped';

export interface SubscriptionDeps {
  kafka: Kafka;
  /** Publishes dead letters with acks=-1; a failure aborts the batch so it is redelivered. */
  sendDeadLetters: (messages: Message[]) => Promise<void>;
  dlqTopic: string;
  source: string;
  maxAttempts: number;
  sessionTimeoutMs: number;
  logger: BusLogger;
  metrics?: BusMetrics;
  /** Maps a physical topic name back to the contract name the handler knows. */
  logicalTopic: (topic: string) => string;
}

interface Failure {
  message: KafkaMessage;
  code: string;
  reason: string;
  attempts: number;
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

  constructor(
    private readonly options: SubscribeOptions,
    private readonly deps: SubscriptionDeps,
  ) {
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
    consumer.on(consumer.events.GROUP_JOIN, () => (this.state = 'running'));
    consumer.on(consumer.events.CRASH, (e) => (this.state = e.payload.restart ? 'starting' : 'crashed'));
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
        const result = await runWithTraceparent(records[0]!.traceparent, () => this.options.handler(records));
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
    for (const { payload, last } of chunks) payload.resolveOffset(last);
  }

  /** Publishes the dead letters of every partition in one send, then counts and logs each. */
  private async deadLetter(entries: Array<{ payload: EachBatchPayload; failures: Failure[] }>): Promise<void> {
    const letters = entries.flatMap(({ payload, failures }) =>
      failures.map((f) => this.toDeadLetter(payload.batch.topic, payload.batch.partition, f)),
    );
    if (letters.length === 0) return;
    await this.deps.sendDeadLetters(letters);
    for (const { payload, failures } of entries) {
      const { topic, partition } = payload.batch;
      for (const f of failures) {
        this.deps.metrics?.dlq(topic, f.code);
        this.deps.logger.warn(
          { topic, partition, offset: f.message.offset, code: f.code, groupId: this.groupId },
          // The reason may quote the record (an unknown `type`, a handler's error): no PII in logs.
          `record dead-lettered: ${maskPii(f.reason)}`,
        );
      }
    }
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
    const outcome = await this.handleWithRetries(decoded.valid, payload);
    if (outcome === 'abandoned') return false;
    await this.deadLetter([{ payload, failures: [...decoded.failures, ...outcome] }]);
    return true;
  }

  private async handleWithRetries(
    items: Array<{ record: IncomingRecord; message: KafkaMessage }>,
    payload: EachBatchPayload,
  ): Promise<Failure[] | 'abandoned'> {
    if (items.length === 0) return [];
    const { metrics, logger, maxAttempts } = this.deps;
    const records = items.map((i) => i.record);
    const topic = payload.batch.topic;
    const abandon = () => !payload.isRunning() || payload.isStale() || this.stopping;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const result = await runWithTraceparent(records[0]!.traceparent, () => this.options.handler(records));
        metrics?.observeHandler(topic, (performance.now() - started) / 1000);
        return (result?.rejected ?? []).map((r) => ({
          message: items.find((i) => i.record === r.record)?.message ?? messageOf(r.record),
          code: r.code,
          reason: r.message,
          attempts: attempt,
        }));
      } catch (error) {
        metrics?.failed(topic, errorCode(error));
        const permanent = error instanceof NonRetriableError;
        const dependency = error instanceof DependencyUnavailableError;
        if ((permanent || attempt >= maxAttempts) && !dependency) {
          if (items.length > 1) return this.isolate(items, payload); // find the poison record
          const code = permanent ? error.code : BUS_ERROR_CODES.retriesExhausted;
          return [{ message: items[0]!.message, code, reason: (error as Error).message, attempts: attempt }];
        }
        const delay = dependency ? backoffDelay(attempt, 500, 15_000) : backoffDelay(attempt);
        logger.warn(
          { groupId: this.groupId, topic, attempt, code: errorCode(error), delayMs: delay },
          `handler failed; retrying: ${(error as Error).message}`,
        );
        await sleepWithTicks(delay, () => payload.heartbeat(), abandon);
        if (abandon()) return 'abandoned';
      }
    }
  }

  /** Retries the records one by one so a single poison record does not dead-letter its neighbours. */
  private async isolate(
    items: Array<{ record: IncomingRecord; message: KafkaMessage }>,
    payload: EachBatchPayload,
  ): Promise<Failure[] | 'abandoned'> {
    const failures: Failure[] = [];
    for (const item of items) {
      const outcome = await this.handleWithRetries([item], payload);
      if (outcome === 'abandoned') return outcome;
      failures.push(...outcome);
    }
    return failures;
  }

  private toDeadLetter(topic: string, partition: number, f: Failure): Message {
    return toDlqMessage(
      {
        sourceTopic: topic,
        partition,
        message: f.message,
        code: f.code,
        reason: f.reason,
        attempts: f.attempts,
        consumerGroup: this.groupId,
      },
      this.deps.source,
    );
  }
}

function messageOf(record: IncomingRecord): KafkaMessage {
  return {
    key: record.key === null ? null : Buffer.from(record.key),
    value: Buffer.from(JSON.stringify(record.event)),
    headers: record.headers,
    offset: record.offset,
    timestamp: String(Date.now()),
    attributes: 0,
  } as KafkaMessage;
}
