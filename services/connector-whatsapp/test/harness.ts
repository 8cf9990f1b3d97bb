import { randomUUID } from 'node:crypto';
import { parseConfig } from '@kanal/config';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import { createIsolatedTopics, kafkaEnvSchema, KafkajsEventBus, removeIsolatedTopics } from '@kanal/kafka';
import { createPool } from '@kanal/postgres';
import { configSchema, type WhatsappConfig } from '../src/config';

export const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A topic prefix and Postgres schema of this suite's own. */
export async function isolation(): Promise<{ prefix: string; schema: string }> {
  const { prefix, tag } = await createIsolatedTopics(BROKERS);
  return { prefix, schema: `wa_t${tag}` };
}

export function testConfig(env: Record<string, string>): WhatsappConfig {
  return parseConfig(configSchema, {
    KAFKA_BROKERS: BROKERS,
    DATABASE_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AUTH_TOKENS: 'test-token-0123456789abcdef',
    ...env,
  });
}

export const AUTH = { authorization: 'Bearer test-token-0123456789abcdef' };

/** Everything published on the prefixed inbound topic, read by a fresh consumer group. */
export function collectInbound(prefix: string): Promise<{ events: CloudEvent[]; stop: () => Promise<void> }> {
  return collectTopic(prefix, TOPICS.inbound);
}

/** Everything published on one prefixed topic (`TOPICS.dlq`, …), read by a fresh consumer group. */
export async function collectTopic(
  prefix: string,
  topic: string,
): Promise<{ events: CloudEvent[]; stop: () => Promise<void> }> {
  const bus = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: BROKERS, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'wa-test',
  });
  await bus.start();
  const events: CloudEvent[] = [];
  const sub = await bus.subscribe({
    groupId: `wa-test-${randomUUID()}`,
    topics: [topic],
    handler: async (records) => void events.push(...records.map((r) => r.event)),
  });
  return {
    events,
    stop: async () => {
      await sub.stop();
      await bus.stop();
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const pool = createPool(DATABASE_URL, { service: 'wa-test', max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}

/** What `isolation()` made: the suite's topics and schema (a test leaves nothing behind). */
export async function removeIsolation({ prefix, schema }: { prefix: string; schema: string }): Promise<void> {
  await dropSchema(schema);
  await removeIsolatedTopics(BROKERS, prefix);
}
