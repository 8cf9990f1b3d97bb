/**
 * `npm run bench:pipeline`: connector-api → unifier → kanal.customers.v1 through the real broker and
 * Postgres, each service in its own process as deployed. Realistic mix: 60% of messages from
 * returning customers, 20% carrying a second channel's identity (cross-channel links).
 * 0. warm-up (not timed): 30,000 events through the broker with the services' own bus (a freshly
 *    started broker's JIT otherwise costs about a quarter of the throughput), then WARMUP messages
 *    through connector-api and the unifier: the steady state of a deployed stack;
 * 1. latency: single-message POSTs paced at RATE/s, POST start → unified event consumed (before the
 *    throughput run, as in bench:report: a steady load, not the aftermath of a saturating burst);
 * 2. throughput: N messages posted in batches of 100 by concurrent clients, until all are unified.
 * The last stdout line is one JSON object with the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { TOPICS } from '@kanal/contracts';
import { createTopics, deleteTopicsMatching, KafkajsEventBus, kafkaEnvSchema, topicEnvSchema } from '@kanal/kafka';
import { createPool } from '@kanal/postgres';
import { broker, ensurePostgres, percentile, portOpen, productionBuild, REPO_ROOT, waitFor } from '@kanal/testing';
import { benchPerson, postJson } from './http-load';
import { rawHop } from './raw-hop';

const N = Number(process.env.BENCH_MESSAGES ?? 30_000);
const WARMUP = Number(process.env.BENCH_WARMUP_MESSAGES ?? 5_000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TOKEN = 'bench-token-0123456789';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';

/** Runs the production bundle (as in the image), so the figures are what a deployment gets. */
async function spawnService(name: string, env: Record<string, string>): Promise<ChildProcess> {
  // BENCH_PROFILE_DIR=/tmp/prof writes a V8 CPU profile per service on exit (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  return spawn(process.execPath, [...profile, await productionBuild(name)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Person k's message on one of their channels (two identities when `cross`). */
function messageFor(k: number, run: string, cross: boolean) {
  const { channel, identities } = benchPerson(k, run.slice(0, 6), cross);
  return {
    channel,
    accountId: 'bench',
    externalId: `b-${randomUUID()}`,
    conversationRef: `${channel}-${k}`,
    occurredAt: new Date().toISOString(),
    sender: { identities },
    text: 'Merhaba, siparişim 3 gündür kargoda görünüyor, ne zaman gelir?',
  };
}

async function main() {
  let startedKafka = false;
  if (!(await portOpen(19092))) {
    await broker(19092).start();
    startedKafka = true;
  }
  await ensurePostgres();
  const run = randomUUID();
  const prefix = `bench${run.slice(0, 6)}.`;
  await createTopics(
    topicEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_TOPIC_PARTITIONS: '6' }),
  );
  const common = {
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    AUTH_TOKENS: TOKEN,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
  };
  const children = await Promise.all([
    spawnService('connector-api', { ...common, PORT: '18481' }),
    spawnService('unifier', {
      ...common,
      PORT: '18490',
      UNIFIER_SCHEMA: `bench_${run.slice(0, 6)}`,
      // Group ids are not prefixed: a shared one would join npm start's (or another run's) group.
      UNIFIER_GROUP_ID: `bench-unifier-${run}`,
      UNIFIER_PARTITIONS_CONCURRENTLY: process.env.BENCH_UNIFIER_CONCURRENCY ?? '6',
    }),
  ]);
  for (const port of [18481, 18490]) {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, {
      timeoutMs: 120_000,
      what: `service on ${port}`,
    });
  }
  const reader = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'bench',
  });
  await reader.start();
  const unifiedAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  await reader.subscribe({
    groupId: `bench-${run}`,
    topics: [TOPICS.customers],
    partitionsConcurrently: 6,
    handler: async (records) => {
      const now = performance.now();
      for (const r of records) {
        const source = (r.event.data as { source?: { eventId: string } }).source;
        if (source && !unifiedAt.has(source.eventId)) {
          unifiedAt.set(source.eventId, now);
          waiters.get(source.eventId)?.();
        }
      }
    },
  });
  const post = async (body: unknown) => {
    const res = await postJson('http://127.0.0.1:18481/v1/messages', TOKEN, JSON.stringify(body));
    if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${res.body}`);
    return (JSON.parse(res.body) as { ids: string[] }).ids;
  };

  // The mix: person index drawn so ~60% of messages come from someone seen before.
  let people = 0;
  const nextPerson = () => (people > 0 && Math.random() < 0.6 ? Math.floor(Math.random() * people) : people++);
  /** n messages in POSTs of 100 by 8 clients, until every one is unified: seconds to accept and to unify. */
  const burst = async (n: number) => {
    const batches = Array.from({ length: Math.ceil(n / 100) }, () =>
      Array.from({ length: 100 }, () => messageFor(nextPerson(), run, Math.random() < 0.2)),
    );
    const t0 = performance.now();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < batches.length) ids.push(...(await post(batches[next++])));
      }),
    );
    const accepted = (performance.now() - t0) / 1000;
    await waitFor(() => unifiedAt.size >= ids.length && ids.every((id) => unifiedAt.has(id)), {
      timeoutMs: 600_000,
      intervalMs: 100,
      what: 'all unified',
    });
    return { accepted, unified: (Math.max(...ids.map((id) => unifiedAt.get(id)!)) - t0) / 1000 };
  };
  await rawHop(brokers, prefix, 30_000);
  await burst(WARMUP);
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const l0 = performance.now();
  for (let i = 0; i < RATE * SECONDS; i++) {
    const wait = l0 + (i * 1000) / RATE - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    pending.push(
      post(messageFor(nextPerson(), run, Math.random() < 0.2)).then(async ([id]) => {
        if (!unifiedAt.has(id!)) await new Promise<void>((resolve) => waiters.set(id!, resolve));
        latencies.push(unifiedAt.get(id!)! - sent);
      }),
    );
  }
  await Promise.all(pending);

  const { accepted: acceptedSeconds, unified: throughputSeconds } = await burst(N);
  latencies.sort((a, b) => a - b);
  await reader.stop();
  await Promise.all(children.map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))));
  // Leave nothing behind: the schema and the run's topics.
  const db = createPool(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', {
    max: 1,
    service: 'bench',
  });
  await db.query(`DROP SCHEMA IF EXISTS bench_${run.slice(0, 6)} CASCADE`);
  await db.end();
  await deleteTopicsMatching(
    topicEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: '' }),
    new RegExp(`^${prefix.replace('.', '\\.')}`),
  );
  if (startedKafka) await broker(19092).stop();

  const result = {
    messages: N,
    accepted_per_s: Math.round(N / acceptedSeconds),
    unified_per_s: Math.round(N / throughputSeconds),
    latency_rate_per_s: RATE,
    latency_p50_ms: +percentile(latencies, 50).toFixed(1),
    latency_p99_ms: +percentile(latencies, 99).toFixed(1),
  };
  process.stdout.write(
    `connector-api accepted   ${result.accepted_per_s} messages/s (${N} in ${acceptedSeconds.toFixed(2)} s)\n`,
  );
  process.stdout.write(
    `unified end to end       ${result.unified_per_s} messages/s (${N} in ${throughputSeconds.toFixed(2)} s)\n`,
  );
  process.stdout.write(
    `latency @ ${RATE}/s         p50 ${result.latency_p50_ms} ms, p99 ${result.latency_p99_ms} ms\n`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
