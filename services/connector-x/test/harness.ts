import { randomUUID } from 'node:crypto';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import { parseConfig } from '@kanal/config';
import {
  createIsolatedTopics,
  kafkaEnvSchema,
  KafkajsEventBus,
  removeIsolatedTopics,
  type Subscription,
} from '@kanal/kafka';
import { createPool, type Pool } from '@kanal/postgres';
import { configSchema, type Config } from '../src/config';

export const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A topic prefix and a Postgres schema of its own, so parallel suites never see each other. */
export async function isolation(): Promise<{ prefix: string; schema: string }> {
  const { prefix, tag } = await createIsolatedTopics(BROKERS);
  return { prefix, schema: `cx_t${tag}` };
}

export function testConfig(env: Record<string, string>): Config {
  return parseConfig(configSchema, {
    KAFKA_BROKERS: BROKERS,
    DATABASE_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export type Collected = { events: CloudEvent[]; stop: () => Promise<void> };

/** Everything published on the (prefixed) inbound topic; see `collectTopic`. */
export function collectInbound(prefix: string): Promise<Collected> {
  return collectTopic(prefix, TOPICS.inbound);
}

/**
 * Everything published on a (prefixed) topic, read by a fresh consumer group. A record the
 * consumer sees twice (a rebalance under load) has the same partition/offset and is kept once, so
 * a duplicate in `events` is a second publish by the service.
 */
export async function collectTopic(prefix: string, topic: string): Promise<Collected> {
  const bus = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: BROKERS, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'connector-x-test',
  });
  await bus.start();
  const events: CloudEvent[] = [];
  const offsets = new Set<string>();
  const sub: Subscription = await bus.subscribe({
    groupId: `connector-x-test-${randomUUID()}`,
    topics: [topic],
    handler: async (records) => {
      for (const r of records) {
        const at = `${r.partition}:${r.offset}`;
        if (offsets.has(at)) continue;
        offsets.add(at);
        events.push(r.event);
      }
    },
  });
  return {
    events,
    stop: async () => {
      await sub.stop();
      await bus.stop();
    },
  };
}

/** Leaves nothing behind: the suite's Postgres schema and its prefixed topics. */
export async function dropIsolation({ prefix, schema }: { prefix: string; schema: string }): Promise<void> {
  const pool: Pool = createPool(DATABASE_URL, { service: 'connector-x-test', max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  await removeIsolatedTopics(BROKERS, prefix);
}
