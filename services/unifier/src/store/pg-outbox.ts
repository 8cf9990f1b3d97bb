import type { CloudEvent } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';

export interface OutboxEntry {
  key: string;
  event: CloudEvent;
}

/** Outputs already recorded for an input event (it was processed before: a redelivery). */
export async function recordedOutputs(client: PoolClient, sourceEventId: string): Promise<OutboxEntry[] | undefined> {
  const { rows } = await client.query<{ key: string; event: CloudEvent }>(
    'SELECT key, event FROM outbox WHERE source_event_id = $1 ORDER BY seq',
    [sourceEventId],
  );
  return rows.length > 0 ? rows.filter((r) => r.event !== null) : undefined;
}

/** Stored in the same transaction as the effects, so effects and outputs are durable together. */
export async function recordOutputs(client: PoolClient, sourceEventId: string, outputs: OutboxEntry[]): Promise<void> {
  // An input that produced nothing still gets a marker row (seq -1) so a redelivery is recognised.
  const entries = outputs.length > 0 ? outputs : [{ key: '', event: null as unknown as CloudEvent }];
  await client.query(
    `INSERT INTO outbox (source_event_id, seq, key, event)
       SELECT $1, s, k, e FROM unnest($2::int[], $3::text[], $4::jsonb[]) AS t(s, k, e)`,
    [
      sourceEventId,
      entries.map((_, i) => (outputs.length > 0 ? i : -1)),
      entries.map((o) => o.key),
      entries.map((o) => JSON.stringify(o.event)),
    ],
  );
}
