import type { CloudEvent } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';

export interface OutboxEntry {
  key: string;
  event: CloudEvent;
  /** The event as stored (set by recordOutputs): published as is instead of serialised again. */
  value?: string;
  /** The input event it came from (not stored): its trace context continues in the output. */
  sourceEventId?: string;
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
  // One JSON document for the whole batch: each event is serialised once (and kept for the
  // publish), with no per-element array-literal escaping.
  const rows: string[] = [];
  for (const [sourceEventId, outputs] of produced) {
    const id = JSON.stringify(sourceEventId);
    if (outputs.length === 0) rows.push(`{"s":${id},"q":-1,"k":"","e":null}`);
    outputs.forEach((o, i) => {
      o.value = JSON.stringify(o.event);
      rows.push(`{"s":${id},"q":${i},"k":${JSON.stringify(o.key)},"e":${o.value}}`);
    });
  }
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO outbox (source_event_id, seq, key, event)
       SELECT s, q, k, e FROM jsonb_to_recordset($1::jsonb) AS x(s text, q int, k text, e jsonb)`,
    [`[${rows.join(',')}]`],
  );
}
