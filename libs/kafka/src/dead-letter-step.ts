import type { KafkaMessage, Message } from 'kafkajs';
import { maskPii, type BusMetrics } from '@kanal/observability';
import type { BusAlerts } from './bus-alerts';
import { isTruncatedLetter, toDlqMessage } from './dlq-record';
import { errorCode } from './errors';
import type { BusLogger } from './kafkajs-client';
import type { ParkingLot } from './parking-lot.port';
import { isRejection } from './produce-errors';
import { headersToStrings } from './record-codec';

export interface Failure {
  message: KafkaMessage;
  code: string;
  reason: string;
  attempts: number;
}

export interface DeadLetterDeps {
  /** Publishes dead letters with acks=-1 (split to fit the broker's request limit). */
  send: (messages: Message[]) => Promise<void>;
  parkingLot?: ParkingLot;
  source: string;
  groupId: string;
  logger: BusLogger;
  metrics?: BusMetrics;
  alerts?: () => BusAlerts | undefined;
}

interface Letter {
  topic: string;
  partition: number;
  failure: Failure;
  message: Message;
}

/**
 * Dead-letters the failures of one or more partitions in one send. When the DLQ refuses a letter
 * for good (not an outage), that letter is parked instead so the partition moves on; without a
 * parking lot, or when parking fails, this throws and the batch is redelivered — the partition
 * then shows as stuck. An outage throws as before (the batch is redelivered once Kafka is back).
 */
export async function deadLetter(
  entries: Array<{ topic: string; partition: number; failures: Failure[] }>,
  deps: DeadLetterDeps,
): Promise<void> {
  const letters: Letter[] = entries.flatMap(({ topic, partition, failures }) =>
    failures.map((failure) => ({ topic, partition, failure, message: toLetter(topic, partition, failure, deps) })),
  );
  if (letters.length === 0) return;
  try {
    await deps.send(letters.map((l) => l.message));
    for (const letter of letters) lettered(letter, deps);
  } catch (error) {
    if (!isRejection(error)) throw error;
    // Find which letters the DLQ refuses: the others are dead-lettered as usual.
    for (const letter of letters) {
      try {
        await deps.send([letter.message]);
        lettered(letter, deps);
      } catch (single) {
        if (!isRejection(single)) throw single;
        await park(letter, errorCode(single), deps, single);
      }
    }
  }
}

function toLetter(topic: string, partition: number, f: Failure, deps: DeadLetterDeps): Message {
  return toDlqMessage(
    {
      sourceTopic: topic,
      partition,
      message: f.message,
      code: f.code,
      reason: f.reason,
      attempts: f.attempts,
      consumerGroup: deps.groupId,
    },
    deps.source,
  );
}

function lettered({ topic, partition, failure, message }: Letter, deps: DeadLetterDeps): void {
  deps.metrics?.dlq(topic, failure.code);
  if (isTruncatedLetter(message)) deps.alerts?.()?.truncated(topic, failure.code);
  deps.logger.warn(
    { topic, partition, offset: failure.message.offset, code: failure.code, groupId: deps.groupId },
    // The reason may quote the record (an unknown `type`, a handler's error): no PII in logs.
    `record dead-lettered: ${maskPii(failure.reason)}`,
  );
}

async function park(letter: Letter, deadLetterCode: string, deps: DeadLetterDeps, cause: unknown): Promise<void> {
  const { topic, partition, failure } = letter;
  const where = {
    topic,
    partition,
    offset: failure.message.offset,
    code: failure.code,
    deadLetterCode,
    groupId: deps.groupId,
  };
  if (!deps.parkingLot) {
    deps.logger.error(
      where,
      'record can neither be handled nor dead-lettered and no parking lot is configured; the partition stalls',
    );
    throw cause;
  }
  await deps.parkingLot.park({
    consumerGroup: deps.groupId,
    topic,
    partition,
    offset: failure.message.offset,
    key: failure.message.key ?? null,
    value: failure.message.value ?? null,
    headers: headersToStrings(failure.message.headers),
    code: failure.code,
    reason: failure.reason.slice(0, 4_000),
    attempts: failure.attempts,
    deadLetterCode,
    failedAt: new Date().toISOString(),
  });
  deps.alerts?.()?.parked(topic, failure.code, deadLetterCode);
  // An alert, not a warning: the record left the pipeline and only an operator brings it back.
  deps.logger.error(where, 'record parked: it could neither be handled nor dead-lettered');
}
