import type { Identity } from '@kanal/contracts';
import type { Pool, PoolClient } from '@kanal/postgres';

export interface CustomerSummaryView {
  id: string;
  /** The id asked for, when it was merged into `id` since. */
  redirectedFrom?: string;
  displayName?: string;
  identities: Identity[];
  attributes: Record<string, string>;
}

/** Many customer ids → the live customer each resolves to now (redirects are flat: one hop). */
export async function liveIds(db: Pool | PoolClient, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ start: string; id: string }>(
    'SELECT id AS start, COALESCE(merged_into, id) AS id FROM customers WHERE id = ANY($1::uuid[])',
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.start, r.id]));
}

/** Summaries (id, name, identities, attributes) of many customers, keyed by the id asked for. */
export async function customerSummaries(pool: Pool, ids: string[]): Promise<Map<string, CustomerSummaryView>> {
  const live = await liveIds(pool, ids);
  const liveList = [...new Set(live.values())];
  const [customers, identities] = await Promise.all([
    pool.query<{ id: string; display_name: string | null; attributes: Record<string, string> }>(
      'SELECT id, display_name, attributes FROM customers WHERE id = ANY($1)',
      [liveList],
    ),
    pool.query<Identity & { customer_id: string }>(
      'SELECT customer_id, type, value FROM identities WHERE customer_id = ANY($1) ORDER BY created_at, type, value',
      [liveList],
    ),
  ]);
  const byId = new Map(customers.rows.map((c) => [c.id, c]));
  const identitiesOf = new Map<string, Identity[]>();
  for (const r of identities.rows) {
    identitiesOf.set(r.customer_id, [
      ...(identitiesOf.get(r.customer_id) ?? []),
      { type: r.type, value: r.value } as Identity,
    ]);
  }
  const out = new Map<string, CustomerSummaryView>();
  for (const [asked, id] of live) {
    const c = byId.get(id)!;
    out.set(asked, {
      id,
      ...(asked !== id ? { redirectedFrom: asked } : {}),
      ...(c.display_name ? { displayName: c.display_name } : {}),
      identities: identitiesOf.get(id) ?? [],
      attributes: c.attributes,
    });
  }
  return out;
}
