import type { Identity } from '@kanal/contracts';
import type { Pool, PoolClient } from '@kanal/postgres';
import type { BusinessSighting } from '../identity/blocklist';

/** last_seen_at is kept to this resolution: a value seen on every message is written once an hour at most. */
const LAST_SEEN_RESOLUTION = '1 hour';

/**
 * Which of these values are learned business identities (one index probe each), and whether
 * their last_seen_at is due a refresh.
 */
export async function learnedAmong(
  client: PoolClient,
  identities: Identity[],
): Promise<Map<string, { stale: boolean }>> {
  if (identities.length === 0) return new Map();
  const { rows } = await client.query<{ type: string; value: string; stale: boolean }>(
    `SELECT l.type, l.value, l.last_seen_at < now() - $3::interval AS stale
       FROM learned_identities l JOIN unnest($1::text[], $2::text[]) AS q(type, value) ON q.type = l.type AND q.value = l.value`,
    [identities.map((i) => i.type), identities.map((i) => i.value), LAST_SEEN_RESOLUTION],
  );
  return new Map(rows.map((r) => [`${r.type}:${r.value}`, { stale: r.stale }]));
}

/**
 * Stores new business identities (where they were first seen) and refreshes last_seen_at of stale
 * ones. Sorted, one row per value: concurrent batches take the row locks in one order.
 */
export async function learnIdentities(client: PoolClient, sightings: BusinessSighting[]): Promise<void> {
  const first = new Map<string, BusinessSighting>();
  for (const s of sightings) if (!first.has(`${s.type}:${s.value}`)) first.set(`${s.type}:${s.value}`, s);
  if (first.size === 0) return;
  const rows = [...first.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
  await client.query(
    `INSERT INTO learned_identities (type, value, channel, provider, account_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (type, value) DO UPDATE SET last_seen_at = now()`,
    [
      rows.map((s) => s.type),
      rows.map((s) => s.value),
      rows.map((s) => s.channel),
      rows.map((s) => s.provider),
      rows.map((s) => s.accountId),
    ],
  );
}

export interface LearnedIdentityRow {
  type: string;
  value: string;
  channel: string;
  provider: string;
  accountId: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** Learned values after (type, value) in key order, for the paginated listing. */
export async function learnedPage(
  pool: Pool,
  after: [string, string] | undefined,
  limit: number,
  exclude: Identity[],
): Promise<LearnedIdentityRow[]> {
  const { rows } = await pool.query<StoredRow>(
    `SELECT type, value, channel, provider, account_id, first_seen_at, last_seen_at FROM learned_identities
      WHERE (type, value) > ($1, $2)
        AND NOT EXISTS (SELECT 1 FROM unnest($4::text[], $5::text[]) AS x(type, value)
                         WHERE x.type = learned_identities.type AND x.value = learned_identities.value)
      ORDER BY type, value LIMIT $3`,
    [after?.[0] ?? '', after?.[1] ?? '', limit, exclude.map((i) => i.type), exclude.map((i) => i.value)],
  );
  return rows.map(toRow);
}

/** Where and when a value was learned (for values also configured, listed under their configuration). */
export async function learnedDetails(pool: Pool, identities: Identity[]): Promise<Map<string, LearnedIdentityRow>> {
  if (identities.length === 0) return new Map();
  const { rows } = await pool.query<StoredRow>(
    `SELECT l.type, l.value, channel, provider, account_id, first_seen_at, last_seen_at
       FROM learned_identities l JOIN unnest($1::text[], $2::text[]) AS q(type, value) ON q.type = l.type AND q.value = l.value`,
    [identities.map((i) => i.type), identities.map((i) => i.value)],
  );
  return new Map(rows.map((r) => [`${r.type}:${r.value}`, toRow(r)]));
}

interface StoredRow {
  type: string;
  value: string;
  channel: string;
  provider: string;
  account_id: string;
  first_seen_at: Date;
  last_seen_at: Date;
}

function toRow(r: StoredRow): LearnedIdentityRow {
  return {
    type: r.type,
    value: r.value,
    channel: r.channel,
    provider: r.provider,
    accountId: r.account_id,
    firstSeenAt: r.first_seen_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
  };
}
