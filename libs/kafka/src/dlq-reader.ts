import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { TOPICS } from '@kanal/contracts';
import type { TopicEnv } from './kafka-env';
import { type BusLogger, createKafkaClient, silentLogger } from './kafkajs-client';
import { headersToStrings } from './record-codec';

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
