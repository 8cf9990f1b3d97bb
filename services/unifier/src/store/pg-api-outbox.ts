import type { Pool, PoolClient } from '@kanal/postgres';
import type { OutboxEntry } from './pg-outbox';

/** Queues events for publication in the caller's transaction (committed with the change they describe). */
export async function enqueueApiEvents(client: PoolClient, entries: OutboxEntry[]): Promise<void> {
  await client.query(
    `INSERT INTO api_outbox (event_id, key, event) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
       ON CONFLICT (event_id) DO NOTHING`,
    [entries.map((e) => e.event.id), entries.map((e) => e.key), entries.map((e) => JSON.stringify(e.event))],
  );
}

export async function forgetPublished(db: Pool | PoolClient, eventIds: string[]): Promise<void> {
  await db.query('DELETE FROM api_outbox WHERE event_id = ANY($1)', [eventIds]);
}

/**
 * Queued events older than `minAgeMs` (younger ones are still being published by their request),
 * locked so that several unifier instances never relay the same rows at once.
 */
export async function claimUnpublished(client: PoolClient, minAgeMs: number, limit: number): Promise<OutboxEntry[]> {
  const { rows } = await client.query<OutboxEntry>(
    `SELECT key, event FROM api_outbox WHERE created_at < now() - $1::interval
      ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [`${minAgeMs} milliseconds`, limit],
  );
  return rows;
}
