import type { Kafka, Message } from 'kafkajs';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import type { TopicEnv } from './kafka-env';
import { readDlq, type DlqEntry } from './dlq-reader';
import { readSourceRecord } from './dlq-source';
import { type BusLogger, createKafkaClient, silentLogger } from './kafkajs-client';
import { encodeRecord, headersToStrings } from './record-codec';

export { readDlq, type DlqEntry, type ReadDlqOptions } from './dlq-reader';

/** Why `dlq replay` skipped a letter. */
export const DLQ_REPLAY_CODES = {
  noSourceTopic: 'DLQ.NO_SOURCE_TOPIC',
  noNormalizer: 'DLQ.NO_NORMALIZER',
  renormalizeFailed: 'DLQ.RENORMALIZE_FAILED',
  /** A truncated letter whose original the source topic no longer holds (retention ran out). */
  sourceGone: 'DLQ.SOURCE_GONE',
  /** A truncated letter whose offset now holds a different record (the topic was recreated). */
  sourceMismatch: 'DLQ.SOURCE_MISMATCH',
  sourceUnreadable: 'DLQ.SOURCE_UNREADABLE',
} as const;

/**
 * Turns a provider letter's raw payload back into events with the current mappers (the same code
 * the connector runs, so a fixed mapper gives the event the first attempt should have given).
 * Events of type `kanal.dlq.record.v1` in the result mean the item still cannot be mapped.
 */
export type Renormalize = (entry: DlqEntry) => Promise<CloudEvent[]>;

export interface ReplayOptions {
  code?: string;
  sourceTopic?: string;
  /** Only provider letters of this provider (`whatsapp-cloud`, `imap`, ...). */
  provider?: string;
  limit?: number;
  dryRun?: boolean;
  /** Needed for provider letters; without it they are reported as skipped. */
  renormalize?: Renormalize;
  logger?: BusLogger;
}

export type ReplayOutcome =
  /** Consumer letter republished byte for byte, or provider letter re-normalized into `events` events. */
  | { entry: DlqEntry; result: 'replayed'; events: number }
  /** The current mappers still cannot map the item (`code` is why): nothing was published. */
  | { entry: DlqEntry; result: 'still-failing'; code: string }
  | { entry: DlqEntry; result: 'skipped'; code: string }
  | { entry: DlqEntry; result: 'dry-run' };

/**
 * Replays dead letters. A consumer letter is republished byte for byte to the topic it came from
 * (event ids unchanged, so a consumer that already processed it treats it as a duplicate); a
 * truncated one is re-read from its source partition first, and skipped with DLQ.SOURCE_GONE once
 * retention removed it. A
 * provider letter is re-normalized through the current mapper and its events are published to
 * the inbound topic: ids are deterministic from the provider's ids, so they are the ids the first
 * attempt would have had.
 */
export async function replayDlq(env: TopicEnv, options: ReplayOptions = {}): Promise<ReplayOutcome[]> {
  const picked: DlqEntry[] = [];
  await readDlq(
    env,
    (e) => {
      if (options.code && e.code !== options.code) return;
      if (options.sourceTopic && e.sourceTopic !== options.sourceTopic) return;
      if (options.provider && e.provider !== options.provider) return;
      if (options.limit === undefined || picked.length < options.limit) picked.push(e);
    },
    { logger: options.logger },
  );
  if (options.dryRun || picked.length === 0) return picked.map((entry) => ({ entry, result: 'dry-run' as const }));
  const kafka = createKafkaClient(env, 'kanal-dlq-replay', options.logger ?? silentLogger);
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const outcomes: ReplayOutcome[] = [];
  try {
    for (const entry of picked) {
      const messages = await replayMessages(env, kafka, entry, options.renormalize);
      if ('result' in messages) {
        outcomes.push({ entry, ...messages });
        continue;
      }
      for (const { topic, batch } of messages.topics) await producer.send({ topic, acks: -1, messages: batch });
      outcomes.push({ entry, result: 'replayed', events: messages.count });
    }
  } finally {
    await producer.disconnect();
  }
  return outcomes;
}

type ReplayPlan =
  | { topics: Array<{ topic: string; batch: Message[] }>; count: number }
  | { result: 'still-failing' | 'skipped'; code: string };

async function replayMessages(
  env: TopicEnv,
  kafka: Kafka,
  entry: DlqEntry,
  renormalize: Renormalize | undefined,
): Promise<ReplayPlan> {
  const replayOf = { kanal_replay_of: entry.id };
  if (entry.origin === 'consumer') {
    if (!entry.sourceTopic) return { result: 'skipped', code: DLQ_REPLAY_CODES.noSourceTopic };
    if (entry.truncated) return replayFromSource(kafka, entry, replayOf);
    const value = Buffer.from(entry.value, entry.valueEncoding === 'base64' ? 'base64' : 'utf8');
    return {
      topics: [
        { topic: entry.sourceTopic, batch: [{ key: entry.key, value, headers: { ...entry.headers, ...replayOf } }] },
      ],
      count: 1,
    };
  }
  if (!renormalize) return { result: 'skipped', code: DLQ_REPLAY_CODES.noNormalizer };
  let events: CloudEvent[];
  try {
    events = await renormalize(entry);
  } catch (error) {
    return { result: 'skipped', code: (error as { code?: string }).code ?? DLQ_REPLAY_CODES.renormalizeFailed };
  }
  const failed = events.find((e) => e.type === 'kanal.dlq.record.v1');
  if (failed) return { result: 'still-failing', code: (failed.data as { code: string }).code };
  const batch = events.map((event) =>
    encodeRecord({
      topic: '',
      key: event.subject ?? '',
      event,
      headers: { ...pick(entry.headers, 'traceparent'), ...replayOf },
    }),
  );
  return {
    topics: batch.length ? [{ topic: `${env.KAFKA_TOPIC_PREFIX}${TOPICS.inbound}`, batch }] : [],
    count: batch.length,
  };
}

/** The original of a truncated letter, byte for byte from its source partition. */
async function replayFromSource(kafka: Kafka, entry: DlqEntry, replayOf: Record<string, string>): Promise<ReplayPlan> {
  if (entry.partition === undefined || entry.sourceOffset === undefined) {
    return { result: 'skipped', code: DLQ_REPLAY_CODES.noSourceTopic };
  }
  const source = await readSourceRecord(kafka, {
    topic: entry.sourceTopic!,
    partition: entry.partition,
    offset: entry.sourceOffset,
    sha256: entry.sha256,
  });
  if (!source.found) {
    const code = {
      gone: DLQ_REPLAY_CODES.sourceGone,
      mismatch: DLQ_REPLAY_CODES.sourceMismatch,
      unreadable: DLQ_REPLAY_CODES.sourceUnreadable,
    }[source.reason];
    return { result: 'skipped', code };
  }
  const { key, value, headers } = source.message;
  return {
    topics: [
      { topic: entry.sourceTopic!, batch: [{ key, value, headers: { ...headersToStrings(headers), ...replayOf } }] },
    ],
    count: 1,
  };
}

function pick(headers: Record<string, string>, name: string): Record<string, string> {
  return headers[name] ? { [name]: headers[name] } : {};
}
