/**
 * Router throughput benchmark: `node --import tsx services/router/bench/router-bench.ts`.
 * Publishes unified `kanal.customer.message.v1` events to the real broker and measures, through
 * the router (Postgres + Kafka, default routing rules), until its routing events come back:
 * 1. throughput: N new conversations as fast as they can be published, routing events/s;
 * 2. latency: a paced stream at BENCH_RATE/s for BENCH_SECONDS, publish → routing event, p50/p99.
 * The last stdout line is one JSON object with the figures.
 */
import { randomUUID } from 'node:crypto';
import { createTopics, topicEnvSchema } from '@kanal/kafka';
import { parseConfig } from '@kanal/config';
import { createPool } from '@kanal/postgres';
import { broker, percentile, portOpen, waitFor } from '@kanal/testing';
import { startRouter } from '../src/app';
import { configSchema } from '../src/config';
import { busProbe, customerMessage } from '../test/router-harness';

const N = Number(process.env.BENCH_EVENTS ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PREFIX = 'bench-router.';
const SCHEMA = 'router_bench';
const TEXTS = [
  'İADE istiyorum',
  'ödeme yapamadım',
  'kargom gelmedi',
  'hesabım çalındı',
  'Where is my order?',
  'Merhaba',
];

async function main() {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
  if (!(await portOpen(Number(brokers.split(':')[1])))) await broker(19092).start();
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  await dropSchema(databaseUrl);
  await createTopics(
    topicEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: PREFIX, KAFKA_TOPIC_PARTITIONS: '6' }),
  );
  const run = randomUUID().slice(0, 8);
  const env = {
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: PREFIX,
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_DISABLED: 'true',
    LOG_LEVEL: 'warn',
    ROUTER_DB_SCHEMA: SCHEMA,
    ROUTER_GROUP_ID: 'router-bench',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '12',
  };
  // Fixed groups: the bench topics outlive a run, and committed offsets keep earlier runs' events
  // out of this one (the schema is dropped, so the router would otherwise route them all again).
  const probe = await busProbe(env, 'router-bench-probe');
  const router = await startRouter(parseConfig(configSchema, env), { handleSignals: false });
  let cursor = 0;
  const assignedAt = new Map<string, number>();
  /** Walks only the events that arrived since the last call. */
  const drain = () => {
    for (; cursor < probe.events.length; cursor++) {
      const e = probe.events[cursor]!;
      // The topics outlive a run (fixed prefix): count only this run's conversations.
      if (e.type === 'kanal.conversation.assigned.v1' && e.data.conversationId.includes(run)) {
        assignedAt.set(e.data.conversationId, probe.arrivals[cursor]!);
      }
    }
    return assignedAt.size;
  };

  // 1. throughput
  const events = Array.from({ length: N }, (_, i) =>
    customerMessage({
      customerId: `c-${run}-${i}`,
      conversationId: `v-${run}-${i}`,
      text: TEXTS[i % TEXTS.length]!,
      n: i,
    }),
  );
  const t0 = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < N; i += 500) inFlight.push(probe.publish(...events.slice(i, i + 500)));
  await Promise.all(inFlight);
  await waitFor(() => drain() >= N, { timeoutMs: 600_000, intervalMs: 20, what: 'all conversations routed' });
  const seconds = (performance.now() - t0) / 1000;
  const throughput = Math.round(N / seconds);
  const rssAfterThroughput = process.memoryUsage().rss;

  // 2. latency at a fixed rate (one new conversation per event)
  const sentAt = new Map<string, number>();
  const total = RATE * SECONDS;
  const start = performance.now();
  for (let sent = 0; sent < total;) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
    const batch = [];
    for (; sent < due; sent++) {
      const id = `l-${run}-${sent}`;
      sentAt.set(id, performance.now());
      batch.push(
        customerMessage({
          customerId: `lc-${run}-${sent}`,
          conversationId: id,
          text: TEXTS[sent % TEXTS.length]!,
          n: sent,
        }),
      );
    }
    if (batch.length) void probe.publish(...batch);
    await new Promise((r) => setTimeout(r, 10));
  }
  await waitFor(() => drain() >= N + total, { timeoutMs: 120_000, intervalMs: 20, what: 'paced events routed' });
  const latencies = [...sentAt].map(([id, t]) => assignedAt.get(id)! - t);
  latencies.sort((a, b) => a - b);
  const result = {
    bench: 'router',
    events: N,
    throughputEventsPerSecond: throughput,
    throughputSeconds: Number(seconds.toFixed(2)),
    pacedRate: RATE,
    pacedEvents: total,
    latencyMs: {
      p50: Math.round(percentile(latencies, 50)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies.at(-1) ?? NaN),
    },
    rssMb: Math.round(rssAfterThroughput / 1024 / 1024),
    note: 'router + load generator share one process; includes Kafka round trips both ways and Postgres commits',
  };
  await router.shutdown('bench done');
  await probe.stop();
  await dropSchema(databaseUrl);
  console.log(JSON.stringify(result));
}

async function dropSchema(url: string) {
  const pool = createPool(url, { service: 'router-bench', max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await pool.end();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
