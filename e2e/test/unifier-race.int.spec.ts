import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parseConfig } from '@kanal/config';
import { createTopics, removeIsolatedTopics, topicEnvSchema } from '@kanal/kafka';
import { createPool } from '@kanal/postgres';
import { REPO_ROOT, waitFor } from '@kanal/testing';
import { startConnectorApi } from '../../services/connector-api/src/app';
import { configSchema as apiConfigSchema } from '../../services/connector-api/src/config';
import { TOKEN } from './pipeline-harness';

// Two unifier processes in one consumer group, racing on messages that link the same customers
// from different partitions: every identity of a person must end at one surviving customer.
const prefix = `t${randomUUID().slice(0, 8)}.`;
const schema = `unifier_race${randomUUID().slice(0, 6)}`;
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const env = {
  KAFKA_BROKERS: brokers,
  KAFKA_TOPIC_PREFIX: prefix,
  AUTH_TOKENS: TOKEN,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};
const children: ChildProcess[] = [];
let api: Awaited<ReturnType<typeof startConnectorApi>>;
const ports = [18190 + Math.floor(Math.random() * 500), 18800 + Math.floor(Math.random() * 500)];

beforeAll(async () => {
  await createTopics(
    topicEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_TOPIC_PARTITIONS: '6' }),
  );
  for (const port of ports) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/unifier/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        UNIFIER_SCHEMA: schema,
        UNIFIER_PARTITIONS_CONCURRENTLY: '3',
        // The two processes share one group, of their own: the default id is every suite's.
        UNIFIER_GROUP_ID: `unifier-${prefix}`,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
  }
  for (const port of ports) {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, {
      timeoutMs: 150_000,
      what: `unifier on ${port}`,
    });
  }
  api = await startConnectorApi(parseConfig(apiConfigSchema, { ...env, PORT: '0' }), { handleSignals: false });
}, 240_000);

afterAll(async () => {
  await api?.shutdown('test');
  await Promise.all(children.map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))));
  // The run's schema and topics go with it: tests leave nothing behind on a shared database or broker.
  const db = createPool(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', { max: 1, service: 'test' });
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.end();
  await removeIsolatedTopics(brokers, prefix);
}, 60_000);

it('ends every raced link in exactly one surviving customer', async () => {
  const people = 40;
  const bodies = [];
  for (let n = 0; n < people; n++) {
    const phone = `+90532${String(2_000_000 + n).padStart(7, '0')}`;
    const email = `race${n}@example.com`;
    const ext = `shop:R${n}`;
    // Three messages, three threads (so likely three partitions), each linking two of the person's ids.
    const m = (ref: string, ids: Array<[string, string]>) => ({
      channel: 'api',
      accountId: 'race',
      externalId: `race-${n}-${ref}-${randomUUID()}`,
      conversationRef: `${ref}-${n}`,
      occurredAt: new Date().toISOString(),
      sender: { identities: ids.map(([type, value]) => ({ type, value })) },
      text: 'yarış',
    });
    bodies.push(
      m('a', [
        ['phone', phone],
        ['email', email],
      ]),
      m('b', [
        ['email', email],
        ['external', ext],
      ]),
      m('c', [
        ['external', ext],
        ['phone', phone],
      ]),
    );
  }
  const res = await fetch(`http://127.0.0.1:${api.port}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(bodies),
  });
  expect(res.status).toBe(202);
  const lookup = async (type: string, value: string) => {
    const r = await fetch(`http://127.0.0.1:${ports[0]}/v1/identities/${type}/${encodeURIComponent(value)}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return r.ok ? ((await r.json()) as { customerId: string }).customerId : undefined;
  };
  for (let n = 0; n < people; n++) {
    const ids = await waitFor(
      async () => {
        const all = [
          await lookup('phone', `+90532${String(2_000_000 + n).padStart(7, '0')}`),
          await lookup('email', `race${n}@example.com`),
          await lookup('external', `shop:R${n}`),
        ];
        return all.every(Boolean) && new Set(all).size === 1 ? all : undefined;
      },
      { timeoutMs: 60_000, what: `person ${n} unified` },
    );
    expect(new Set(ids).size).toBe(1);
  }
}, 180_000);
