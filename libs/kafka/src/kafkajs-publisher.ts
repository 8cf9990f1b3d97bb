import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { BusMetrics } from '@kanal/observability';
import { BusUnavailableError, RecordTooLargeError, type BusError } from './errors';
import type { OutgoingRecord } from './event-bus.port';
import type { BusLogger } from './kafkajs-client';
import { isRejection, produceError } from './produce-errors';
import { encodeRecord } from './record-codec';
import { MAX_RECORD_BYTES, MAX_REQUEST_BYTES, recordBytes } from './record-size';

export { MAX_RECORD_BYTES } from './record-size';

interface Outgoing {
  topic: string;
  type: string;
  message: Message;
  bytes: number;
}

/** One publish() call: its records may travel in several produce requests. */
interface Pending {
  messages: Outgoing[];
  /** Index of the first record not yet taken into a request. */
  next: number;
  acked: number;
  settled: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** The records of one pending call that travel in one request. */
interface Part {
  pending: Pending;
  messages: Outgoing[];
}

export interface PublisherOptions {
  timeoutMs: number;
  /** Upper bound of records in one produce request. */
  maxBatchRecords?: number;
  /** Upper bound of bytes in one produce request (see MAX_REQUEST_BYTES). */
  maxRequestBytes?: number;
  logger: BusLogger;
  metrics?: BusMetrics;
}

/**
 * Coalesces concurrent publish() calls into one produce request while the previous one is in
 * flight: one record at a time at low load (lowest latency), large batches under load (throughput).
 * A single request in flight keeps per-partition order across retries without the experimental
 * kafkajs idempotent producer. Requests are bounded in records and in bytes, so one caller's large
 * batch travels in several requests instead of exceeding the broker's limit and failing everyone
 * coalesced with it.
 */
export class KafkajsPublisher {
  private queue: Pending[] = [];
  private inFlight = false;
  private readonly maxBatchRecords: number;
  private readonly maxRequestBytes: number;

  constructor(
    private readonly producer: Producer,
    private readonly options: PublisherOptions,
  ) {
    this.maxBatchRecords = options.maxBatchRecords ?? 2_000;
    this.maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  }

  publish(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const messages = records.map((r) => {
      const message = encodeRecord(r);
      return { topic: r.topic, type: r.event.type, message, bytes: recordBytes(message) };
    });
    // A record that can never fit is refused up front, before anything of the call is sent.
    const tooLarge = messages.findIndex((m) => m.bytes > MAX_RECORD_BYTES);
    if (tooLarge >= 0) {
      const m = messages[tooLarge]!;
      return Promise.reject(new RecordTooLargeError(m.topic, m.bytes, MAX_RECORD_BYTES, tooLarge));
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.reject(new BusUnavailableError(`Kafka did not acknowledge within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      const pending: Pending = {
        messages,
        next: 0,
        acked: 0,
        settled: false,
        resolve: () => {
          clearTimeout(timer);
          if (!pending.settled) resolve();
          pending.settled = true;
        },
        reject: (error) => {
          clearTimeout(timer);
          if (!pending.settled) reject(error);
          pending.settled = true;
        },
      };
      this.queue.push(pending);
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
    if (this.inFlight) return;
    const parts = this.nextRequest();
    if (parts.length === 0) return;
    this.inFlight = true;
    void this.send(parts).finally(() => {
      this.inFlight = false;
      this.flush();
    });
  }

  /** Takes records from the front of the queue up to the record and byte bounds (at least one). */
  private nextRequest(): Part[] {
    const parts: Part[] = [];
    let count = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const pending = this.queue[0]!;
      // A call that timed out or failed is not sent any further: its caller was answered already.
      if (pending.settled) {
        this.queue.shift();
        continue;
      }
      const taken: Outgoing[] = [];
      while (pending.next < pending.messages.length) {
        const m = pending.messages[pending.next]!;
        const empty = count === 0 && taken.length === 0;
        if (!empty && (count + 1 > this.maxBatchRecords || bytes + m.bytes > this.maxRequestBytes)) break;
        taken.push(m);
        count++;
        bytes += m.bytes;
        pending.next++;
      }
      if (taken.length > 0) parts.push({ pending, messages: taken });
      if (pending.next < pending.messages.length) break; // the request is full
      this.queue.shift();
    }
    return parts;
  }

  private async send(parts: Part[]): Promise<void> {
    try {
      await this.produce(parts);
      for (const part of parts) this.acknowledged(part);
    } catch (error) {
      const err = produceError(error);
      // A refusal (size, topic, authorization) concerns some records, not the broker: each call
      // is retried on its own, so only the calls whose records are refused fail.
      if (isRejection(error) && parts.length > 1) {
        for (const part of parts) await this.send([part]);
        return;
      }
      this.failed(parts, err);
    }
  }

  private async produce(parts: Part[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const part of parts) {
      for (const { topic, message } of part.messages) {
        const list = byTopic.get(topic) ?? [];
        list.push(message);
        byTopic.set(topic, list);
      }
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    await this.producer.sendBatch({ topicMessages, acks: -1, timeout: this.options.timeoutMs });
  }

  private acknowledged(part: Part): void {
    for (const m of part.messages) this.options.metrics?.eventsOut(m.topic, m.type);
    part.pending.acked += part.messages.length;
    if (part.pending.acked === part.pending.messages.length) part.pending.resolve();
  }

  private failed(parts: Part[], err: BusError): void {
    const log = isRejection(err) ? this.options.logger.error : this.options.logger.warn;
    log.call(
      this.options.logger,
      { code: err.code, records: parts.reduce((n, p) => n + p.messages.length, 0) },
      err.message,
    );
    for (const part of parts) {
      for (const m of part.messages) this.options.metrics?.failed(m.topic, err.code);
      part.pending.reject(err);
    }
  }
}
