import type { CloudEvent } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';

export interface OutboxEntry {
  key: string;
  event: CloudEvent;
}

/** Outputs already recorded for these input events (processed before: redeliveries), by input id. */
export async function recordedOutputs(
  client: PoolClient,
  sourceEventIds: string[],
): Promise<Map<string, OutboxEntry[]>> {
  const { rows } = await client.query<{ source_event_id: string; key: string; event: CloudEvent | null }>(
    'SELECT source_event_id, key, event FROM outbox WHERE source_event_id = ANY($1) ORDER BY source_event_id, seq',
    [sourceEventIds],
  );
  const out = new Map<string, OutboxEntry[]>();
  for (const r of rows) {
    const list = out.get(r.source_event_id) ?? [];
    if (r.event !== null) list.push({ key: r.key, event: r.event });
    out.set(r.source_event_id, list);
  }
  return out;
}

/**
 * Stored in the same transaction as the effects, so effects and outputs are durable together.
 * An input that produced nothing gets a marker row (seq -1) so its redelivery is recognised too.
 */
export async function recordOutputs(client: PoolClient, produced: Array<[string, OutboxEntry[]]>): Promise<void> {
  const rows: Array<[string, number, string, string | null]> = [];
  for (const [sourceEventId, outputs] of produced) {
    if (outputs.length === 0) rows.push([sourceEventId, -1, '', null]);
    outputs.forEach((o, i) => rows.push([sourceEventId, i, o.key, JSON.stringify(o.event)]));
  }
  if (rows.length === 0) return;
  const column = (n: number) => rows.map((r) => r[n]);
  await client.query(
    `INSERT INTO outbox (source_event_id, seq, key, event) SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::jsonb[])`,
    [column(0), column(1), column(2), column(3)],
  );
}
