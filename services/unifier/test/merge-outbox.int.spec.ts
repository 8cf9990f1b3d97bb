import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parseConfig } from '@kanal/config';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import { createIsolatedTopics, KafkajsEventBus, kafkaEnvSchema } from '@kanal/kafka';
import { createPool, type Pool } from '@kanal/postgres';
import type { RunningService } from '@kanal/service';
import { broker, waitFor } from '@kanal/testing';
import { startUnifier } from '../src/app';
import { configSchema } from '../src/config';

// A broker of its own: stopping the shared one would break the suites running beside this one.
const node = broker(19582, { reset: true });
const TOKEN = 'merge-outbox-token-0001';
const schema = `unifier_outbox_${randomUUID().slice(0, 8)}`;
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let prefix: string;
let unifier: RunningService;
let pool: Pool;

beforeAll(async () => {
  await node.start();
  ({ prefix } = await createIsolatedTopics(node.brokers));
  unifier = await startUnifier(
    parseConfig(configSchema, {
      KAFKA_BROKERS: node.brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PUBLISH_TIMEOUT_MS: '2000',
      UNIFIER_SCHEMA: schema,
      UNIFIER_RELAY_INTERVAL_MS: '300',
      DATABASE_URL: databaseUrl,
      AUTH_TOKENS: TOKEN,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    }),
    { handleSignals: false },
  );
  pool = createPool(databaseUrl, { max: 2, service: 'outbox-test', schema });
}, 180_000);

afterAll(async () => {
  await unifier?.shutdown('test done');
  await pool?.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool?.end();
  await node.stop();
}, 90_000);

async function customer(phone: string, createdAt: string): Promise<string> {
  const id = randomUUID();
  await pool.query('INSERT INTO customers (id, created_at) VALUES ($1, $2)', [id, createdAt]);
  await pool.query(`INSERT INTO identities (type, value, customer_id) VALUES ('phone', $1, $2)`, [phone, id]);
  return id;
}

it('keeps a merge made while Kafka is down and publishes its event once the broker is back', async () => {
  const older = await customer('+905321110001', '2026-01-01T00:00:00Z');
  const newer = await customer('+905321110002', '2026-02-01T00:00:00Z');

  await node.stop();
  const res = await fetch(`http://127.0.0.1:${unifier.port}/v1/customers/merge`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ customerIds: [newer, older], reason: 'same person, confirmed by phone call' }),
  });
  // The merge is committed; only its event waits.
  expect(res.status).toBe(200);
  const merge = (await res.json()) as { mergeId: string; survivorId: string };
  expect(merge.survivorId).toBe(older);
  const queued = await pool.query('SELECT event FROM api_outbox');
  expect(queued.rows.map((r) => r.event.data.mergeId)).toEqual([merge.mergeId]);

  await node.start();
  await waitFor(async () => (await pool.query('SELECT count(*)::int AS n FROM api_outbox')).rows[0].n === 0, {
    timeoutMs: 60_000,
    what: 'the relay to publish the queued event',
  });
  // Read after the restart: a reader that lived through the outage would wait out its session.
  const reader = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: node.brokers, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'outbox-test-reader',
  });
  await reader.start();
  const seen: CloudEvent[] = [];
  await reader.subscribe({
    groupId: `outbox-${randomUUID()}`,
    topics: [TOPICS.customers],
    handler: async (records) => void seen.push(...records.map((r) => r.event)),
  });
  try {
    const merged = await waitFor(() => seen.find((e) => e.type === 'kanal.customer.merged.v1'), {
      timeoutMs: 30_000,
      what: 'the merged event on kanal.customers.v1',
    });
    expect(merged.data).toMatchObject({ mergeId: merge.mergeId, survivorId: older, mergedId: newer });
  } finally {
    await reader.stop();
  }
}, 240_000);
