import { execFile } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { promisify } from 'node:util';
import { REPO_ROOT } from './repo-root';

const run = promisify(execFile);

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A port nobody listens on now (the OS picks it), so a run never collides with other stacks. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface BrokerHandle {
  port: number;
  brokers: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A Kafka broker run by the repo's scripts (the real thing, from the Maven Central jars). */
export function broker(port: number, { reset = false }: { reset?: boolean } = {}): BrokerHandle {
  const env = { ...process.env, KAFKA_PORT: String(port), ...(reset ? { KAFKA_RESET: '1' } : {}) };
  const script = (name: string) => `${REPO_ROOT}/scripts/infra/${name}`;
  return {
    port,
    brokers: `127.0.0.1:${port}`,
    async start() {
      await run('bash', [script('kafka-start.sh')], { env, maxBuffer: 16 * 1024 * 1024 });
      env.KAFKA_RESET = '';
    },
    async stop() {
      await run('bash', [script('kafka-stop.sh')], { env, maxBuffer: 16 * 1024 * 1024 });
    },
  };
}

export async function ensurePostgres(): Promise<void> {
  await run('bash', [`${REPO_ROOT}/scripts/infra/postgres-ensure.sh`]);
}
