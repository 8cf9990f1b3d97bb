/**
 * Backlog drain benchmark: 5,000 mixed messages (every fixture: Turkish charsets, HTML, inline
 * images, attachments, invites, bounces, auto-replies…) in a private Dovecot, drained by the real
 * service in a child process into Kafka. Reports messages/s and the service's peak RSS (VmHWM).
 *
 *   node --import tsx services/connector-email/bench/drain-bench.ts [count]
 *   (EMAIL_PAGE_SIZE=… to try another page size, BENCH_CPU_PROF=<dir> to profile the service)
 *
 * Needs the local Kafka (npm run infra:up), Postgres and dovecot-imapd (see test/dovecot).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOPICS } from '@kanal/contracts';
import { REPO_ROOT, productionBuild, waitFor } from '@kanal/testing';
import { startDovecot } from '../test/dovecot/dovecot';
import { collectInbound, cleanUp, isolation, MAILBOX, testEnv } from '../test/harness';

const COUNT = Number(process.argv[2] ?? 5_000);
const FIXTURES = join(REPO_ROOT, 'services/connector-email/src/__fixtures__');

function corpus(): Buffer[] {
  const raws = readdirSync(FIXTURES).map((f) => readFileSync(join(FIXTURES, f)).toString('latin1'));
  return Array.from({ length: COUNT }, (_, i) => {
    const raw = raws[i % raws.length]!.replace(/^Message-ID:.*\r?\n/im, '');
    return Buffer.from(`Message-ID: <bench-${i}@example.com>\r\n${raw}`, 'latin1');
  });
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU seconds (user + system) the process used so far: the machine may be shared. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

const dovecot = await startDovecot();
const iso = await isolation();
const inbound = await collectInbound(iso.prefix);
// The corpus holds the fixtures the parser refuses on purpose: each is one dead letter, not an event.
const dlq = await collectInbound(iso.prefix, TOPICS.dlq);
const drained = () => new Set([...inbound.received, ...dlq.received].map((r) => r.event.id)).size;
try {
  const t = Date.now();
  await dovecot.deliverMany(MAILBOX, corpus());
  console.log(`delivered ${COUNT} messages into the Maildir in ${Date.now() - t} ms`);
  const env = {
    ...testEnv(iso, dovecot.port, {
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      EMAIL_PAGE_SIZE: process.env.EMAIL_PAGE_SIZE ?? '250',
    }),
  };
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the service for `--cpu-prof` analysis.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // The production bundle (as in the image), not tsx: RSS and speed are what a deployment gets.
  const child = spawn(process.execPath, [...profile, await productionBuild('connector-email')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
  });
  let peak = 0;
  const sampler = setInterval(() => void peakRssMb(child.pid!).then((mb) => (peak = Math.max(peak, mb))), 200);
  try {
    // The service starts draining as soon as it is up; the clock starts when the first event lands.
    await waitFor(() => inbound.received.length > 0, { what: 'the first event', timeoutMs: 60_000, intervalMs: 2 });
    const first = inbound.received[0]!.at;
    const cpuAtFirst = await cpuSeconds(child.pid!);
    await waitFor(() => drained() >= COUNT, {
      what: `${COUNT} events and dead letters`,
      timeoutMs: 600_000,
      intervalMs: 20,
    });
    const last = Math.max(...[...inbound.received, ...dlq.received].map((r) => r.at));
    console.log(`${inbound.received.length} events, ${dlq.received.length} dead letters (fixtures the parser refuses)`);
    peak = Math.max(peak, await peakRssMb(child.pid!));
    const cpu = (await cpuSeconds(child.pid!)) - cpuAtFirst;
    const seconds = (last - first) / 1000;
    console.log(
      `drained ${COUNT} messages Dovecot → Kafka in ${seconds.toFixed(2)} s: ${Math.round(COUNT / seconds)} messages/s`,
    );
    console.log(
      `service CPU time while draining: ${cpu.toFixed(2)} s → ${Math.round(COUNT / cpu)} messages per CPU-second`,
    );
    console.log(`service peak RSS (VmHWM): ${peak.toFixed(0)} MB`);
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
} finally {
  await inbound.stop();
  await dlq.stop();
  await dovecot.stop();
  await cleanUp(iso);
}
