/**
 * `npm start`: the whole platform on this machine, in the foreground. Starts what is missing
 * (Kafka, Postgres), creates topics, starts every service that exists, prints the endpoints, and
 * on Ctrl-C / SIGTERM stops everything it started — and only that.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTopics, topicEnvSchema } from '@kanal/kafka';
import { broker, ensurePostgres, portOpen, REPO_ROOT } from '@kanal/testing';
import { SERVICES } from './services';

const DEV_TOKEN = process.env.KANAL_DEV_TOKEN ?? 'kanal-dev-token-0000';
const children: Array<{ name: string; child: ChildProcess }> = [];
let startedKafka = false;
let stopping = false;

async function main(): Promise<void> {
  const log = (msg: string) => process.stdout.write(`kanal: ${msg}\n`);
  const kafkaPort = 19092;
  if (await portOpen(kafkaPort)) log(`Kafka already running on 127.0.0.1:${kafkaPort}`);
  else {
    log('starting Kafka (first run downloads the broker jars from Maven Central)…');
    await broker(kafkaPort).start();
    startedKafka = true;
  }
  await ensurePostgres();
  const statuses = await createTopics(topicEnvSchema.parse(process.env));
  log(`topics: ${statuses.map((s) => `${s.topic} (${s.status})`).join(', ')}`);

  const logDir = join(REPO_ROOT, '.kanal', 'logs');
  mkdirSync(logDir, { recursive: true });
  const present = SERVICES.filter((s) => existsSync(join(REPO_ROOT, 'services', s.name, 'src', 'main.ts'))).filter((s) => {
    const missing = (s.requires ?? []).filter((v) => !process.env[v]);
    if (missing.length > 0) log(`${s.name}: skipped (set ${missing.join(', ')} to run it)`);
    return missing.length === 0;
  });
  const exited = new Map<string, string>();
  for (const service of present) {
    const out = createWriteStream(join(logDir, `${service.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', join('services', service.name, 'src', 'main.ts')], {
      cwd: REPO_ROOT,
      env: { PORT: String(service.port), AUTH_TOKENS: DEV_TOKEN, ...service.env, ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    child.on('exit', (code, signal) => {
      exited.set(service.name, String(signal ?? code));
      if (!stopping) log(`${service.name} exited (${signal ?? code}); see .kanal/logs/${service.name}.log`);
    });
    children.push({ name: service.name, child });
  }
  for (const service of present) await untilReady(service.name, service.port, exited);

  log('ready.');
  log(`Kafka        127.0.0.1:${kafkaPort}   (kcat -L -b 127.0.0.1:${kafkaPort})`);
  for (const s of present) {
    log(`${s.name.padEnd(12)} http://127.0.0.1:${s.port}   ${s.endpoints}`);
  }
  if (present.length === 0) log('no services present yet; the broker and topics are up.');
  log(`bearer token for the APIs: ${DEV_TOKEN}; logs in .kanal/logs/. Ctrl-C stops everything started here.`);
  log('try it: npx kanal demo   (a WhatsApp → email → Instagram journey: unified timeline + routing decisions)');
}

/** Polls /health/ready; a service that exited (bad config, port taken) fails the start at once. */
async function untilReady(name: string, port: number, exited: Map<string, string>): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited.has(name)) throw new Error(`${name} exited (${exited.get(name)}); see .kanal/logs/${name}.log`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${name} not ready after 90 s; see .kanal/logs/${name}.log`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\nkanal: ${signal}: stopping…\n`);
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => (clearTimeout(kill), resolve()));
          child.kill('SIGTERM');
        }),
    ),
  );
  if (startedKafka) await broker(19092).stop();
  process.stdout.write('kanal: stopped.\n');
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
main().catch(async (error: Error) => {
  process.stderr.write(`kanal: start failed: ${error.message}\n`);
  await shutdown('failure');
  process.exit(1);
});
