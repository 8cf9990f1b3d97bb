import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import { parseConfig } from '@kanal/config';
import { createIsolatedTopics, kafkaEnvSchema, KafkajsEventBus, removeIsolatedTopics } from '@kanal/kafka';
import { createPool } from '@kanal/postgres';
import { configSchema, type Config } from '../src/config';

export const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MAILBOX = 'support@example.test';

/** A topic prefix, Postgres schema and blob dir of its own, so parallel suites never meet. */
export async function isolation(): Promise<{ prefix: string; schema: string; blobDir: string }> {
  const { prefix, tag } = await createIsolatedTopics(BROKERS);
  return { prefix, schema: `ce_t${tag}`, blobDir: mkdtempSync(join(tmpdir(), 'email-blobs-')) };
}

export function testEnv(
  iso: { prefix: string; schema: string; blobDir: string },
  imapPort: number,
  extra: Record<string, string> = {},
) {
  return {
    KAFKA_BROKERS: BROKERS,
    KAFKA_TOPIC_PREFIX: iso.prefix,
    DATABASE_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    EMAIL_DB_SCHEMA: iso.schema,
    BLOB_DIR: iso.blobDir,
    EMAIL_IDLE_DELAY_MS: '300',
    EMAIL_POLL_INTERVAL_MS: '60000',
    EMAIL_RECONNECT_MAX_MS: '1000',
    EMAIL_MAILBOXES: JSON.stringify([
      {
        address: MAILBOX,
        host: '127.0.0.1',
        port: imapPort,
        secure: false,
        startTls: false,
        user: MAILBOX,
        password: 'secret',
      },
    ]),
    ...extra,
  };
}

export const testConfig = (env: Record<string, string>): Config => parseConfig(configSchema, env);

export interface Received {
  event: CloudEvent;
  at: number;
}

/** Everything published on the (prefixed) inbound topic (or another one), read by a fresh consumer group. */
export async function collectInbound(
  prefix: string,
  topic: string = TOPICS.inbound,
): Promise<{ received: Received[]; stop: () => Promise<void> }> {
  const bus = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: BROKERS, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'connector-email-test',
  });
  await bus.start();
  const received: Received[] = [];
  const sub = await bus.subscribe({
    groupId: `connector-email-test-${randomUUID()}`,
    topics: [topic],
    handler: async (records) => void received.push(...records.map((r) => ({ event: r.event, at: Date.now() }))),
  });
  return {
    received,
    stop: async () => {
      await sub.stop();
      await bus.stop();
    },
  };
}

/** Drops the suite's topics, schema and blob dir (call after every consumer of the topics stopped). */
export async function cleanUp(iso: { prefix: string; schema: string; blobDir: string } | undefined): Promise<void> {
  if (!iso) return;
  await removeIsolatedTopics(BROKERS, iso.prefix);
  const pool = createPool(DATABASE_URL, { service: 'connector-email-test', max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${iso.schema}" CASCADE`);
  await pool.end();
  await rm(iso.blobDir, { recursive: true, force: true });
}

export function plainMail(n: number | string, extra = ''): string {
  return (
    `From: =?UTF-8?Q?M=C3=BC=C5=9Fteri_${n}?= <customer${n}@example.com>\r\nTo: ${MAILBOX}\r\n` +
    `Subject: =?UTF-8?Q?Sipari=C5=9F_${n}?=\r\nMessage-ID: <msg-${n}@example.com>\r\n` +
    `Date: Mon, 24 Nov 2025 10:00:00 +0300\r\n${extra}Content-Type: text/plain; charset=utf-8\r\n\r\n` +
    `Merhaba, sipari\u015f ${n} nerede?\r\n`
  );
}
