/**
 * Signed-webhook throughput with durable publish: the service runs as its own process (as deployed)
 * against the real broker; autocannon posts signed Cloud API bodies, each answered only after
 * Kafka acknowledged (acks=all). Prints req/s, latency percentiles and the service's RSS.
 * Run: node --import tsx services/connector-meta/bench/webhook-bench.ts
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { createTopics, topicEnvSchema } from '@kanal/kafka';
import { productionBuild, REPO_ROOT, waitFor } from '@kanal/testing';
import { signBody } from '../src/webhook/verify-signature';

const PORT = Number(process.env['BENCH_PORT'] ?? 18082);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 20);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 64);
const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092';
const SECRET = 'bench-app-secret-0001';
const PHONE_ID = '106540352242922';

function body(n: number): string {
  // One realistic text message per delivery, Turkish text escaped the way Meta sends it.
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '908505551234', phone_number_id: PHONE_ID },
      contacts: [{ profile: { name: 'Ayse Yildiz' }, wa_id: '905321234567' }],
      messages: [{ from: '905321234567', id: `wamid.BENCH${n}`, timestamp: '1764050000', type: 'text', text: { body: `Siparisim nerede? #${n}` } }],
    } }] }],
  }).replace('Siparisim', 'Sipari\\u015fim');
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

async function main() {
  const prefix = `bench-meta-${randomUUID().slice(0, 8)}.`;
  await createTopics(topicEnvSchema.parse({ KAFKA_BROKERS: BROKERS, KAFKA_TOPIC_PREFIX: prefix, KAFKA_TOPIC_PARTITIONS: '6' }));
  // BENCH_NODE_ARGS (e.g. `--cpu-prof`) go to the service process, for profiling.
  const nodeArgs = (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  // The production bundle (as in the image), not tsx: what a deployment serves.
  const child = spawn(process.execPath, [...nodeArgs, await productionBuild('connector-meta')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      KAFKA_BROKERS: BROKERS,
      KAFKA_TOPIC_PREFIX: prefix,
      META_APP_SECRETS: SECRET,
      META_VERIFY_TOKEN: 'bench-verify-token',
      META_WHATSAPP_PHONE_NUMBER_IDS: PHONE_ID,
      META_MEDIA_ENABLED: 'false',
    },
  });
  try {
    const url = `http://127.0.0.1:${PORT}`;
    await waitFor(async () => (await fetch(`${url}/health/ready`)).ok, { timeoutMs: 60_000, intervalMs: 250, what: 'connector-meta ready' });
    const requests = Array.from({ length: 500 }, (_, n) => {
      const b = body(n);
      return { method: 'POST', path: '/webhooks/whatsapp', body: b, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(b, SECRET) } };
    });
    await autocannon({ url, connections: CONNECTIONS, duration: 3, requests }); // warm-up (JIT, connections, metadata)
    const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests });
    const mem = rssMb(child.pid!);
    const result = {
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: r.requests.total,
      reqPerSec: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      serviceRssMb: mem.rss,
      servicePeakRssMb: mem.peak,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

await main();
