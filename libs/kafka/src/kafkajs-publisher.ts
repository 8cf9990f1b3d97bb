import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { BusMetrics } from '@kanal/observability';
import { BUS_ERROR_CODES, BusError, BusUnavailableError } from './errors';
import type { OutgoingRecord } from './event-bus.port';
import type { BusLogger } from './kafkajs-client';
import { encodeRecord } from './record-codec';

/** Below the broker's default max.message.bytes (1 MiB) with room for headers and batch overhead. */
export const MAX_RECORD_BYTES = 1_000_000;

interface Pending {
  messages: Array<{ topic: string; type: string; message: Message }>;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface PublisherOptions {
  timeoutMs: number;
  /** Upper bound of records in one produce request. */
  maxBatchRecords?: number;
  logger: BusLogger;
  metrics?: BusMetrics;
}

/**
 * Coalesces concurrent publish() calls into one produce request while the previous one is in
 * flight: one record at a time at low load (lowest latency), large batches under load (throughput).
 * A single request in flight keeps per-partition order across retries without the experimental
 * kafkajs idempotent producer.
 */
export class KafkajsPublisher {
  private queue: Pending[] = [];
  private inFlight = false;
  private readonly maxBatchRecords: number;

  constructor(
    private readonly producer: Producer,
    private readonly options: PublisherOptions,
  ) {
    this.maxBatchRecords = options.maxBatchRecords ?? 2_000;
  }

  publish(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const messages = records.map((r) => ({ topic: r.topic, type: r.event.type, message: encodeRecord(r) }));
    // One oversized record would fail the whole coalesced request, so it is refused up front.
    const tooLarge = messages.find((m) => Buffer.byteLength(m.message.value as string) > MAX_RECORD_BYTES);
    if (tooLarge) {
      return Promise.reject(
        new BusError(BUS_ERROR_CODES.recordTooLarge, `record for ${tooLarge.topic} exceeds ${MAX_RECORD_BYTES} bytes`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new BusUnavailableError(`Kafka did not acknowledge within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      this.queue.push({
        messages,
        resolve: () => {
          clearTimeout(timer);
          if (!settled) resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          if (!settled) reject(error);
        },
      });
      this.flush();
    });
  }

  /** Resolves when nothing is queued or in flight (used on shutdown). */
  async drain(deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while ((this.inFlight || this.queue.length > 0) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private flush(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0 && (batch.length === 0 || count + this.queue[0]!.messages.length <= this.maxBatchRecords)) {
      const next = this.queue.shift()!;
      batch.push(next);
      count += next.messages.length;
    }
    this.inFlight = true;
    void this.send(batch).finally(() => {
      this.inFlight = false;
      this.flush();
    });
  }

  private async send(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      for (const { topic, message } of p.messages) {
        const list = byTopic.get(topic) ?? [];
        list.push(message);
        byTopic.set(topic, list);
      }
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1, timeout: this.options.timeoutMs });
      for (const p of batch) {
        for (const m of p.messages) this.options.metrics?.eventsOut(m.topic, m.type);
        p.resolve();
      }
    } catch (error) {
      const err = new BusUnavailableError(`publish failed: ${(error as Error).message}`, { cause: error });
      this.options.logger.warn({ code: err.code, records: batch.length }, err.message);
      for (const p of batch) {
        for (const m of p.messages) this.options.metrics?.failed(m.topic, err.code);
        p.reject(err);
      }
    }
  }
}
