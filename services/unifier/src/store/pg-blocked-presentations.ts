import type { Identity } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import type { BlockedValueTies } from '../identity/blocked-candidate';

const keyOf = (i: Identity) => `${i.type}:${i.value}`;

/**
 * Owner and latest presenters of each blocked value. Presenters are read from the ten latest rows
 * and followed through merge redirects to the customer that is live now (a merged presenter
 * counts as its survivor).
 */
export async function blockedValueTies(
  client: PoolClient,
  identities: Identity[],
): Promise<Map<string, BlockedValueTies>> {
  const out = new Map<string, BlockedValueTies>();
  if (identities.length === 0) return out;
  const { rows } = await client.query<{
    type: string;
    value: string;
    owner: string | null;
    presenters: Array<{ id: string; at: string }>;
  }>(
    `WITH RECURSIVE q AS (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS q(type, value)),
     latest AS (
       SELECT q.type, q.value, p.customer_id, p.presented_at FROM q CROSS JOIN LATERAL (
         SELECT customer_id, presented_at FROM blocked_presentations b WHERE b.type = q.type AND b.value = q.value
          ORDER BY presented_at DESC, customer_id DESC LIMIT 10) p
     ),
     chain(type, value, id, merged_into, at, depth) AS (
       SELECT l.type, l.value, c.id, c.merged_into, l.presented_at, 0 FROM latest l JOIN customers c ON c.id = l.customer_id
       UNION ALL
       SELECT ch.type, ch.value, c.id, c.merged_into, ch.at, ch.depth + 1 FROM chain ch JOIN customers c ON c.id = ch.merged_into
        WHERE ch.depth < 50
     )
     SELECT q.type, q.value,
       (SELECT customer_id FROM identities i WHERE i.type = q.type AND i.value = q.value) AS owner,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('id', x.id, 'at', x.at)) FROM (
         SELECT id, max(at) AS at FROM chain WHERE chain.type = q.type AND chain.value = q.value AND merged_into IS NULL GROUP BY id
       ) x), '[]'::jsonb) AS presenters
     FROM q`,
    [identities.map((i) => i.type), identities.map((i) => i.value)],
  );
  for (const r of rows) {
    out.set(`${r.type}:${r.value}`, {
      ...(r.owner ? { owner: r.owner } : {}),
      presenters: new Map(r.presenters.map((p) => [p.id, new Date(p.at)])),
    });
  }
  for (const i of identities) if (!out.has(keyOf(i))) out.set(keyOf(i), { presenters: new Map() });
  return out;
}

/** Who presented which blocked value, and when last (message time): candidates for later suggestions. */
export async function recordPresentations(
  client: PoolClient,
  rows: Array<Identity & { customerId: string; at: Date }>,
): Promise<void> {
  if (rows.length === 0) return;
  // One row per (value, customer) in one statement, sorted: concurrent batches lock rows in one order.
  const latest = new Map<string, Identity & { customerId: string; at: Date }>();
  for (const r of rows) {
    const k = `${r.type}:${r.value}|${r.customerId}`;
    const known = latest.get(k);
    if (!known || known.at < r.at) latest.set(k, r);
  }
  const list = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
  await client.query(
    `INSERT INTO blocked_presentations (type, value, customer_id, presented_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::timestamptz[])
     ON CONFLICT (type, value, customer_id) DO UPDATE SET presented_at = EXCLUDED.presented_at
       WHERE blocked_presentations.presented_at < EXCLUDED.presented_at`,
    [list.map((r) => r.type), list.map((r) => r.value), list.map((r) => r.customerId), list.map((r) => r.at)],
  );
}
