import type { Pool, PoolClient } from '@kanal/postgres';

export interface SessionLease {
  release(): Promise<void>;
}

/** One live socket per session across replicas: whoever holds the lease may connect. */
export interface LeaseProvider {
  /** Resolves undefined when another replica holds it; `onLost` fires if the lease dies under us. */
  tryAcquire(sessionId: string, onLost: () => void): Promise<SessionLease | undefined>;
}

/**
 * A session-level Postgres advisory lock held on a dedicated connection. It lives exactly as long
 * as that connection, so a crashed replica frees it at once (no lease expiry to wait out), and a
 * replica that loses its connection learns it from the client's error and stops its socket —
 * two replicas never kick each other off (the 440 conflict loop).
 */
export class PgSessionLease implements LeaseProvider {
  constructor(
    private readonly pool: Pool,
    private readonly namespace = 'connector_whatsapp',
    private readonly heartbeatMs = 10_000,
  ) {}

  async tryAcquire(sessionId: string, onLost: () => void): Promise<SessionLease | undefined> {
    const client: PoolClient = await this.pool.connect();
    const keys = [this.namespace, sessionId];
    let ok = false;
    try {
      const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok', keys);
      ok = res.rows[0]?.ok === true;
    } finally {
      if (!ok) client.release();
    }
    if (!ok) return undefined;

    let done = false;
    const lose = (error: unknown) => {
      if (done) return;
      done = true;
      clearInterval(heartbeat);
      client.release(error instanceof Error ? error : new Error('lease connection lost'));
      onLost();
    };
    client.on('error', lose);
    // A silently dead connection (network partition) is only noticed when used.
    const heartbeat = setInterval(() => void client.query('SELECT 1').catch(lose), this.heartbeatMs);
    heartbeat.unref();
    return {
      async release() {
        if (done) return;
        done = true;
        clearInterval(heartbeat);
        client.off('error', lose);
        try {
          await client.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', keys);
          client.release();
        } catch (error) {
          client.release(error as Error);
        }
      },
    };
  }
}
