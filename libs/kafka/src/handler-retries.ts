import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { runWithTraceparent, type BusMetrics } from '@kanal/observability';
import { backoffDelay, sleepWithTicks } from './backoff';
import type { Failure } from './dead-letter-step';
import { BUS_ERROR_CODES, DependencyUnavailableError, NonRetriableError, errorCode } from './errors';
import type { BatchHandler, IncomingRecord } from './event-bus.port';
import type { BusLogger } from './kafkajs-client';
import { withHeartbeats } from './with-heartbeats';

export interface RetryDeps {
  handler: BatchHandler;
  maxAttempts: number;
  groupId: string;
  logger: BusLogger;
  metrics?: BusMetrics;
  /** The subscription is shutting down: stop retrying, commit nothing. */
  stopping: () => boolean;
}

type Item = { record: IncomingRecord; message: KafkaMessage };

/**
 * Runs the handler on one partition's records: a failure is retried with backoff (a dependency
 * outage without limit), a poison batch is isolated record by record, and what cannot succeed is
 * returned as failures to dead-letter. 'abandoned' when the partition was taken away or the
 * subscription stops (nothing may be committed).
 */
export async function handleWithRetries(
  items: Item[],
  payload: EachBatchPayload,
  deps: RetryDeps,
): Promise<Failure[] | 'abandoned'> {
  if (items.length === 0) return [];
  const { metrics, logger, maxAttempts } = deps;
  const records = items.map((i) => i.record);
  const topic = payload.batch.topic;
  const abandon = () => !payload.isRunning() || payload.isStale() || deps.stopping();
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      const result = await withHeartbeats(payload.heartbeat, () =>
        runWithTraceparent(records[0]!.traceparent, () => deps.handler(records)),
      );
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
        if (items.length > 1) return isolate(items, payload, deps); // find the poison record
        const code = permanent ? error.code : BUS_ERROR_CODES.retriesExhausted;
        return [{ message: items[0]!.message, code, reason: (error as Error).message, attempts: attempt }];
      }
      const delay = dependency ? backoffDelay(attempt, 500, 15_000) : backoffDelay(attempt);
      logger.warn(
        { groupId: deps.groupId, topic, attempt, code: errorCode(error), delayMs: delay },
        `handler failed; retrying: ${(error as Error).message}`,
      );
      await sleepWithTicks(delay, () => payload.heartbeat(), abandon);
      if (abandon()) return 'abandoned';
    }
  }
}

/** Retries the records one by one so a single poison record does not dead-letter its neighbours. */
async function isolate(items: Item[], payload: EachBatchPayload, deps: RetryDeps): Promise<Failure[] | 'abandoned'> {
  const failures: Failure[] = [];
  for (const item of items) {
    const outcome = await handleWithRetries([item], payload, deps);
    if (outcome === 'abandoned') return outcome;
    failures.push(...outcome);
  }
  return failures;
}

/** The bytes of a record a handler rejected without handing back its Kafka message. */
export function messageOf(record: IncomingRecord): KafkaMessage {
  return {
    key: record.key === null ? null : Buffer.from(record.key),
    value: Buffer.from(JSON.stringify(record.event)),
    headers: record.headers,
    offset: record.offset,
    timestamp: String(Date.now()),
    attributes: 0,
  } as KafkaMessage;
}
