/**
 * `npm run bench:bus`: throughput and latency of the event bus through the real broker.
 * 1. produce: N events published in concurrent batches, events/s until all acknowledged (acks=-1);
 * 2. consume: the same events read back by a fresh group, events/s end to end;
 * 3. latency: a paced stream at a fixed rate, publish-call → handler, p50/p99/p999.
 * The last stdout line is one JSON object with the figures.
 */
import { randomUUID } from 'node:crypto';
import { TOPICS } from '@kanal/contracts';
import { broker, percentile, portOpen, waitFor } from '@kanal/testing';
import { createIsolatedTopics, KafkajsEventBus, kafkaEnvSchema, removeIsolatedTopics } from '../src/index';
import { inboundEvent } from '../test/test-events';

const N = Number(process.env.BENCH_EVENTS ?? 50_000);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function main() {
  let started = false;
  if (!(await portOpen(19092))) {
    await broker(19092).start();
    started = true;
  }
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
  // Topics of its own, removed at the end: a shared prefix kept every run's records, and each
  // consume phase read all earlier runs' too.
  const { prefix } = await createIsolatedTopics(brokers, { partitions: 6, label: 'bench' });
  const base = { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix };
  const bus = new KafkajsEventBus({ env: kafkaEnvSchema.parse(base), service: 'bench' });
  await bus.start();
  const run = randomUUID();
  const events = Array.from({ length: N }, (_, i) => inboundEvent(i, run));

  // 1. produce
  const t0 = performance.now();
  const chunk = 500;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < N; i += chunk) {
    inFlight.push(
      bus.publish(events.slice(i, i + chunk).map((e) => ({ topic: TOPICS.inbound, key: e.subject!, event: e }))),
    );
  }
  await Promise.all(inFlight);
  const produceSeconds = (performance.now() - t0) / 1000;

  // 2. consume (end to end from the start of the run: what a fresh consumer group sustains)
  const seen = new Set<string>();
  const c0 = performance.now();
  const consumer = await bus.subscribe({
    groupId: `bench-${run}`,
    topics: [TOPICS.inbound],
    partitionsConcurrently: 3,
    handler: async (records) => {
      for (const r of records) if (r.event.id.startsWith(run)) seen.add(r.event.id);
    },
  });
  await waitFor(() => seen.size >= N, { timeoutMs: 300_000, intervalMs: 20, what: 'all events consumed' });
  const consumeSeconds = (performance.now() - c0) / 1000;
  await consumer.stop();

  // 3. latency at a fixed offered load
  const latRun = randomUUID();
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await bus.subscribe({
    groupId: `bench-lat-${latRun}`,
    topics: [TOPICS.inbound],
    fromBeginning: false,
    partitionsConcurrently: 3,
    handler: async (records) => {
      const now = performance.now();
      for (const r of records) {
        const t = sentAt.get(r.event.id);
        if (t !== undefined) latencies.push(now - t);
      }
    },
  });
  await new Promise((r) => setTimeout(r, 3_000)); // let the group settle before measuring
  const total = RATE * SECONDS;
  const l0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = l0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const e = inboundEvent(i, latRun);
    sentAt.set(e.id, performance.now());
    void bus.publish([{ topic: TOPICS.inbound, key: e.subject!, event: e }]);
  }
  await waitFor(() => latencies.length >= total, { timeoutMs: 60_000, intervalMs: 20, what: 'latency samples' });
  latencies.sort((a, b) => a - b);
  await bus.stop();
  await removeIsolatedTopics(brokers, prefix);
  if (started) await broker(19092).stop();

  const result = {
    events: N,
    produce_events_per_s: Math.round(N / produceSeconds),
    consume_events_per_s: Math.round(N / consumeSeconds),
    latency_rate_per_s: RATE,
    latency_p50_ms: +percentile(latencies, 50).toFixed(2),
    latency_p99_ms: +percentile(latencies, 99).toFixed(2),
    latency_p999_ms: +percentile(latencies, 99.9).toFixed(2),
  };
  const rows = [
    ['produce (acks=all)', `${result.produce_events_per_s} events/s`, `${N} events in ${produceSeconds.toFixed(2)} s`],
    [
      'consume (fresh group)',
      `${result.consume_events_per_s} events/s`,
      `${N} events in ${consumeSeconds.toFixed(2)} s`,
    ],
    [
      `latency @ ${RATE}/s`,
      `p50 ${result.latency_p50_ms} ms`,
      `p99 ${result.latency_p99_ms} ms, p99.9 ${result.latency_p999_ms} ms`,
    ],
  ];
  for (const [a, b, c] of rows) process.stdout.write(`${a!.padEnd(24)} ${b!.padEnd(20)} ${c}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exit(1);
});
