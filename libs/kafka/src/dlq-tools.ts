import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { TOPICS } from '@kanal/contracts';
import type { TopicEnv } from './kafka-env';
import { type BusLogger, createKafkaClient, silentLogger } from './kafkajs-client';
import { headersToStrings } from './record-codec';

export interface DlqEntry {
  offset: string;
  id: string;
  code: string;
  message: string;
  sourceTopic: string;
  partition: number;
  sourceOffset: string;
  consumerGroup: string;
  failedAt: string;
  attempts: number;
  key: string | null;
  headers: Record<string, string>;
  value: string;
  valueEncoding: 'utf8' | 'base64';
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
export async function readDlq(env: TopicEnv, onEntry: (entry: DlqEntry) => void | Promise<void>, options: ReadDlqOptions = {}) {
  const kafka = createKafkaClient(env, 'kanal-dlq', options.logger ?? silentLogger);
  const topic = `${env.KAFKA_TOPIC_PREFIX}${TOPICS.dlq}`;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]));
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

export interface ReplayOptions {
  code?: string;
  sourceTopic?: string;
  limit?: number;
  dryRun?: boolean;
  logger?: BusLogger;
}

/**
 * Republishes dead-lettered records, byte for byte, to the topic they came from. Event ids are
 * unchanged, so consumers that already processed one treat the replay as a duplicate.
 */
export async function replayDlq(env: TopicEnv, options: ReplayOptions = {}): Promise<DlqEntry[]> {
  const picked: DlqEntry[] = [];
  await readDlq(
    env,
    (e) => {
      if (options.code && e.code !== options.code) return;
      if (options.sourceTopic && e.sourceTopic !== options.sourceTopic) return;
      if (options.limit === undefined || picked.length < options.limit) picked.push(e);
    },
    { logger: options.logger },
  );
  if (options.dryRun || picked.length === 0) return picked;
  const producer = createKafkaClient(env, 'kanal-dlq-replay', options.logger ?? silentLogger).producer({
    allowAutoTopicCreation: false,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (const e of picked) {
      await producer.send({
        topic: e.sourceTopic,
        acks: -1,
        messages: [
          {
            key: e.key,
            value: Buffer.from(e.value, e.valueEncoding === 'base64' ? 'base64' : 'utf8'),
            headers: { ...e.headers, kanal_replay_of: e.id },
          },
        ],
      });
    }
  } finally {
    await producer.disconnect();
  }
  return picked;
}

function toEntry(message: KafkaMessage): DlqEntry | undefined {
  try {
    const event = JSON.parse(message.value?.toString('utf8') ?? '');
    const d = event?.data;
    if (event?.type !== 'kanal.dlq.record.v1' || typeof d?.sourceTopic !== 'string') return undefined;
    return {
      offset: message.offset,
      id: event.id,
      code: d.code,
      message: d.message,
      sourceTopic: d.sourceTopic,
      partition: d.partition,
      sourceOffset: d.offset,
      consumerGroup: d.consumerGroup,
      failedAt: d.failedAt,
      attempts: d.attempts,
      key: d.key,
      headers: d.headers ?? headersToStrings(message.headers),
      value: d.value,
      valueEncoding: d.valueEncoding === 'base64' ? 'base64' : 'utf8',
    };
  } catch {
    return undefined;
  }
}
