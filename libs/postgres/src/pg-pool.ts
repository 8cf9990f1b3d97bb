import { createHash } from 'node:crypto';
import pg from 'pg';

export type { Pool, PoolClient, QueryResultRow } from 'pg';

/**
 * A pool for one service; `application_name` shows the service in pg_stat_activity. With `schema`,
 * every connection works in the service's own schema (search_path), so its queries stay unqualified.
 */
export function createPool(
  databaseUrl: string,
  { max = 10, service, schema }: { max?: number; service: string; schema?: string },
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    max,
    application_name: service,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (server restart, terminated backend) must not crash the
  // process: the pool drops it and the next query opens a new one.
  pool.on('error', () => {});
  // The same for a checked-out client (pg-pool removes its idle listener while a caller holds it):
  // a backend terminated between two queries of a transaction makes pg emit 'error' on the client
  // itself, which without a listener is an uncaught exception that kills the process. The next
  // query on that client rejects instead ("not queryable": a transient error, retried), and the
  // pool discards the client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

const TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown (pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** Errors that go away by retrying: connection loss, restart, serialization or deadlock. */
export function isTransientPgError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(
    e.message ?? '',
  );
}

const statementNames = new Map<string, string>();

/**
 * The client with every text query run as a named prepared statement: Postgres parses and plans
 * each distinct statement once per connection instead of on every call (a hot path issues the same
 * dozen statements thousands of times a second).
 */
export function preparedStatements(client: pg.PoolClient): pg.PoolClient {
  const nameOf = (text: string) => {
    let name = statementNames.get(text);
    if (!name) {
      name = `k${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      statementNames.set(text, name);
    }
    return name;
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver);
      return (text: unknown, values?: unknown[]) =>
        typeof text === 'string'
          ? target.query({ name: nameOf(text), text, values })
          : target.query(text as never, values);
    },
  });
}

/** Runs `fn` in a transaction; serialization failures and deadlocks (or `retryOn`) are retried a few times. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  {
    retries = 5,
    isolation = 'READ COMMITTED',
    prepared = false,
    retryOn = ['40001', '40P01'],
  }: {
    retries?: number;
    isolation?: string;
    prepared?: boolean;
    /** SQLSTATEs that a fresh attempt can get past (default: serialization failure, deadlock). */
    retryOn?: string[];
  } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
      const result = await fn(prepared ? preparedStatements(client) : client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const code = (error as { code?: string }).code;
      if (code && retryOn.includes(code) && attempt < retries) {
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
        continue;
      }
      throw error;
    } finally {
      client.release();
    }
  }
}

/** True when a trivial query succeeds within two seconds (readiness). */
export async function pgReady(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
