import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message } from 'kafkajs';
import { maskPii, type BusMetrics } from '@kanal/observability';
import { backoffDelay, sleepWithTicks } from './backoff';
import { toDlqMessage } from './dlq-record';
import { BUS_ERROR_CODES, DependencyUnavailableError, NonRetriableError, errorCode } from './errors';
import type { IncomingRecord, SubscribeOptions, Subscription } from './event-bus.port';
import type { BusLogger } from './kafkajs-client';
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

/** One consumer group member: decode → handler → dead letters → commit, per partition batch. */
export class KafkajsSubscription implements Subscription {
  state: SubscriptionState = 'starting';
  private consumer: Consumer | undefined;
  private stopping = false;

  constructor(
    private readonly options: SubscribeOptions,
    private readonly deps: SubscriptionDeps,
  ) {}

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
    const { batch, isRunning, isStale, heartbeat, resolveOffset } = payload;
    const size = this.options.maxBatchSize ?? 500;
    for (let i = 0; i < batch.messages.length; i += size) {
      if (!isRunning() || isStale() || this.stopping) return;
      const chunk = batch.messages.slice(i, i + size);
      const done = await this.processChunk(batch.topic, batch.partition, chunk, payload);
      if (!done) return; // stopping or rebalancing: leave the rest uncommitted for redelivery
      const last = chunk[chunk.length - 1]!.offset;
      resolveOffset(last);
      await this.consumer!.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
      const lag = BigInt(batch.highWatermark) - BigInt(last) - 1n;
      this.deps.metrics?.setLag(batch.topic, batch.partition, Number(lag < 0n ? 0n : lag));
      await heartbeat();
    }
  }

  /** Returns false when processing was abandoned (nothing from this chunk may be committed). */
  private async processChunk(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const { metrics, logger } = this.deps;
    const failures: Failure[] = [];
    const valid: Array<{ record: IncomingRecord; message: KafkaMessage }> = [];
    for (const message of messages) {
      const decoded = decodeRecord(this.deps.logicalTopic(topic), partition, message);
      if (decoded.ok) {
        valid.push({ record: decoded.record, message });
        metrics?.eventsIn(topic, decoded.record.event.type);
      } else {
        failures.push({ message, code: decoded.code, reason: decoded.message, attempts: 0 });
      }
    }
    const outcome = await this.handleWithRetries(valid, payload);
    if (outcome === 'abandoned') return false;
    failures.push(...outcome);
    if (failures.length > 0) {
      await this.deps.sendDeadLetters(failures.map((f) => this.toDeadLetter(topic, partition, f)));
      for (const f of failures) {
        metrics?.dlq(topic, f.code);
        logger.warn(
          { topic, partition, offset: f.message.offset, code: f.code, groupId: this.groupId },
          // The reason may quote the record (an unknown `type`, a handler's error): no PII in logs.
          `record dead-lettered: ${maskPii(f.reason)}`,
        );
      }
    }
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
