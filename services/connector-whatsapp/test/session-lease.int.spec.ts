import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createPool, migrate } from '@kanal/postgres';
import { REPO_ROOT, waitFor } from '@kanal/testing';
import { startConnectorWhatsapp, type RunningWhatsapp } from '../src/app';
import { loadPgAuthState } from '../src/session/pg-auth-state';
import { FakeBaileys } from './fake-baileys';
import { AUTH, DATABASE_URL, isolation, removeIsolation, testConfig } from './harness';

let schema: string;
let prefix: string;
let env: Record<string, string>;
let child: ChildProcess | undefined;
let replicaB: RunningWhatsapp | undefined;
const childOut: string[] = [];

beforeAll(async () => {
  const iso = await isolation();
  schema = iso.schema;
  prefix = iso.prefix;
  env = {
    KAFKA_TOPIC_PREFIX: iso.prefix,
    WHATSAPP_DB_SCHEMA: schema,
    WHATSAPP_SESSIONS: 'shared',
    WHATSAPP_LEASE_RETRY_MS: '200',
  };
  await migrate({ databaseUrl: DATABASE_URL, schema, dir: fileURLToPath(new URL('../migrations', import.meta.url)) });
  const pool = createPool(DATABASE_URL, { service: 'wa-test', max: 1 });
  const auth = await loadPgAuthState(pool, schema, 'shared');
  auth.state.creds.registered = true;
  await auth.saveCreds();
  await pool.end();
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await replicaB?.shutdown('test');
  await removeIsolation({ prefix, schema });
});

it('keeps one live socket per session across two processes and fails over when the holder dies', async () => {
  const config = testConfig(env);
  const replicaA = spawn(process.execPath, ['--import', 'tsx', 'services/connector-whatsapp/test/replica-process.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...Object.fromEntries(
        Object.entries({
          ...env,
          KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
          DATABASE_URL,
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'silent',
          AUTH_DISABLED: 'true',
        }),
      ),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = replicaA;
  // Event-driven waits: a cold `tsx` start-up or a slow failover has no wall-clock budget beyond the test's own.
  await new Promise<void>((resolve, reject) => {
    replicaA.once('exit', (code) => reject(new Error(`replica A exited (${code}) before opening a socket`)));
    createInterface({ input: replicaA.stdout }).on('line', (line) => {
      childOut.push(line);
      if (line === 'socket:shared') resolve();
    });
  });

  const fakeB = new FakeBaileys();
  let bSocket: () => void = () => {};
  const bTookOver = new Promise<void>((resolve) => (bSocket = resolve));
  const factory = fakeB.factory;
  fakeB.factory = (input) => {
    const sock = factory(input);
    bSocket();
    return sock;
  };
  replicaB = await startConnectorWhatsapp(config, { handleSignals: false, socketFactory: fakeB.factory });
  await waitFor(() => replicaB!.manager.get('shared')?.state === 'standby', { what: 'replica B standby' });
  const res = await fetch(`http://127.0.0.1:${replicaB.port}/v1/sessions`, { headers: AUTH });
  expect(((await res.json()) as { items: unknown[] }).items).toEqual([
    expect.objectContaining({ id: 'shared', state: 'open', owner: 'other' }),
  ]);
  // Several lease retries later B still has not opened a socket: no mutual kick-off.
  await waitFor(() => replicaB!.manager.get('shared')!.leaseAttempts >= 4, { what: 'B retried the lease' });
  expect(fakeB.sockets).toHaveLength(0);
  expect(childOut.filter((l) => l === 'socket:shared')).toHaveLength(1);

  // A crash (no graceful release): Postgres drops A's lock with its connection; B takes over.
  child.kill('SIGKILL');
  await bTookOver;
  expect(fakeB.sockets).toHaveLength(1);
  fakeB.last('shared').open();
  await waitFor(() => replicaB!.manager.get('shared')?.state === 'open', { what: 'B open' });
});
