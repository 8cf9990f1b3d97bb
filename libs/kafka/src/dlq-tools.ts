import { randomUUID } from 'node:crypto';
import type { KafkaMessage, Message } from 'kafkajs';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import type { TopicEnv } from './kafka-env';
import { type BusLogger, createKafkaClient, silentLogger } from './kafkajs-client';
import { encodeRecord, headersToStrings } from './record-codec';

export interface DlqEntry {
  offset: string;
  id: string;
  /** `consumer`: a Kafka record a consumer could not handle; `provider`: a raw provider item a connector could not map. */
  origin: 'consumer' | 'provider';
  code: string;
  message: string;
  /** Consumer letters only (provider letters have no source record). */
  sourceTopic?: string;
  partition?: number;
  sourceOffset?: string;
  consumerGroup?: string;
  failedAt: string;
  attempts: number;
  key: string | null;
  headers: Record<string, string>;
  value: string;
  valueEncoding: 'utf8' | 'base64';
  /** Provider letters only. */
  provider?: string;
  channel?: string;
  accountId?: string;
  contentType?: string;
  blobRef?: string;
  sha256?: string;
  size?: number;
  truncated?: boolean;
  receivedAt?: string;
  item?: string;
}

export interface ReadDlqOptions {
  /** Stop after this many entries. */
  limit?: number;
  /** Keep waiting for new entries instead of stopping at the current end. */
  follow?: boolean;
  signal?: AbortSignal;
  logger?: BusLogger;
}

/** Reads the DLQ without joining any service's group and without committing anything. */
export async function readDlq(
  env: TopicEnv,
  onEntry: (entry: DlqEntry) => void | Promise<void>,
  options: ReadDlqOptions = {},
) {
  const kafka = createKafkaClient(env, 'kanal-dlq', options.logger ?? silentLogger);
  const topic = `${env.KAFKA_TOPIC_PREFIX}${TOPICS.dlq}`;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]),
  );
  if (remaining.size === 0 && !options.follow) return 0;

  const consumer = kafka.consumer({ groupId: `kanal-dlq-reader-${randomUUID()}`, allowAutoTopicCreation: false });
  let seen = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  options.signal?.addEventListener('abort', () => finish());
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (options.limit !== undefined && seen >= options.limit) return finish();
      const entry = toEntry(message);
      if (entry) {
        seen++;
        await onEntry(entry);
      }
      const end = remaining.get(partition);
      if (end !== undefined && BigInt(message.offset) + 1n >= end) remaining.delete(partition);
      if ((!options.follow && remaining.size === 0) || (options.limit !== undefined && seen >= options.limit)) finish();
    },
  });
  await finished;
  await consumer.disconnect();
  return seen;
}

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
 * (event ids unchanged, so a consumer that already processed it treats it as a duplicate). A
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
  const producer = createKafkaClient(env, 'kanal-dlq-replay', options.logger ?? silentLogger).producer({
    allowAutoTopicCreation: false,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const outcomes: ReplayOutcome[] = [];
  try {
    for (const entry of picked) {
      const messages = await replayMessages(env, entry, options.renormalize);
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
  entry: DlqEntry,
  renormalize: Renormalize | undefined,
): Promise<ReplayPlan> {
  const replayOf = { kanal_replay_of: entry.id };
  if (entry.origin === 'consumer') {
    if (!entry.sourceTopic) return { result: 'skipped', code: 'DLQ.NO_SOURCE_TOPIC' };
    const value = Buffer.from(entry.value, entry.valueEncoding === 'base64' ? 'base64' : 'utf8');
    return {
      topics: [
        { topic: entry.sourceTopic, batch: [{ key: entry.key, value, headers: { ...entry.headers, ...replayOf } }] },
      ],
      count: 1,
    };
  }
  if (!renormalize) return { result: 'skipped', code: 'DLQ.NO_NORMALIZER' };
  let events: CloudEvent[];
  try {
    events = await renormalize(entry);
  } catch (error) {
    return { result: 'skipped', code: (error as { code?: string }).code ?? 'DLQ.RENORMALIZE_FAILED' };
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

function pick(headers: Record<string, string>, name: string): Record<string, string> {
  return headers[name] ? { [name]: headers[name] } : {};
}

function toEntry(message: KafkaMessage): DlqEntry | undefined {
  try {
    const event = JSON.parse(message.value?.toString('utf8') ?? '');
    const d = event?.data;
    if (event?.type !== 'kanal.dlq.record.v1' || typeof d?.code !== 'string') return undefined;
    const origin = d.origin === 'provider' ? 'provider' : 'consumer';
    if (origin === 'consumer' && typeof d.sourceTopic !== 'string') return undefined;
    const entry: DlqEntry = {
      offset: message.offset,
      id: event.id,
      origin,
      code: d.code,
      message: d.message,
      sourceTopic: d.sourceTopic,
      partition: d.partition,
      sourceOffset: d.offset,
      consumerGroup: d.consumerGroup,
      failedAt: d.failedAt,
      attempts: d.attempts,
      key: d.key ?? null,
      headers: d.headers ?? headersToStrings(message.headers),
      value: d.value ?? '',
      valueEncoding: d.valueEncoding === 'base64' ? 'base64' : 'utf8',
      provider: d.provider,
      channel: d.channel,
      accountId: d.accountId,
      contentType: d.contentType,
      blobRef: d.blobRef,
      sha256: d.sha256,
      size: d.size,
      truncated: d.truncated,
      receivedAt: d.receivedAt,
      item: d.item,
    };
    for (const k of Object.keys(entry) as Array<keyof DlqEntry>) if (entry[k] === undefined) delete entry[k];
    return entry;
  } catch {
    return undefined;
  }
}
