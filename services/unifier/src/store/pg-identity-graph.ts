import { randomUUID } from 'node:crypto';
import type { Identity } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import type { IdentityPolicy } from '../identity/identity-policy';

export interface CustomerRow {
  id: string;
  display_name: string | null;
  attributes: Record<string, string>;
  created_at: Date;
}

export type MergeEvidenceKind = 'arrived-together' | 'explicit' | 'external-id';

export interface MergeOutcome {
  mergeId: string;
  survivorId: string;
  mergedId: string;
  evidence: {
    kind: MergeEvidenceKind;
    identities: Identity[];
    reason?: string;
    actor?: string;
    sourceEventId?: string;
    /** The link suggestion an agent accepted, when the merge is one. */
    suggestionId?: string;
  };
  movedIdentities: Identity[];
}

export interface Suggestion {
  customerId: string;
  candidateCustomerId?: string;
  identity: Identity;
  reason: 'limit-exceeded' | 'blocked-identity' | 'mentioned-in-text';
  detail?: string;
}

/**
 * Serialises work on the same identities across unifier instances: advisory locks taken in one
 * global order (sorted keys) cannot deadlock with each other.
 */
export async function lockIdentities(
  client: PoolClient,
  identities: Identity[],
  extraKeys: string[] = [],
): Promise<void> {
  await lockKeys(client, [...identities.map((i) => `${i.type}:${i.value}`), ...extraKeys]);
}

export async function lockKeys(client: PoolClient, keys: string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended(k, 7)) FROM unnest($1::text[]) AS k ORDER BY k', [
    sorted,
  ]);
}

/** Lock key of one message: its insert and the state events aimed at it both take it. */
export function messageLockKey(channel: string, accountId: string, externalId: string): string {
  return `msg|${channel}|${accountId}|${externalId}`;
}

/** Customer ids (after merge redirects) that own any of the identities. */
export async function ownersOf(client: PoolClient, identities: Identity[]): Promise<Map<string, string>> {
  if (identities.length === 0) return new Map();
  const { rows } = await client.query<{ type: string; value: string; customer_id: string }>(
    `SELECT i.type, i.value, i.customer_id FROM identities i
       JOIN unnest($1::text[], $2::text[]) AS q(type, value) ON q.type = i.type AND q.value = i.value`,
    [identities.map((i) => i.type), identities.map((i) => i.value)],
  );
  return new Map(rows.map((r) => [`${r.type}:${r.value}`, r.customer_id]));
}

/**
 * Locks the live customers that `ids` resolve to and returns them oldest first (see lockResolved).
 */
export async function lockCustomers(client: PoolClient, ids: string[]): Promise<CustomerRow[]> {
  return (await lockResolved(client, ids)).live;
}

/**
 * Locks the live customers that `ids` resolve to, one row at a time in id order, and returns them
 * oldest first with what each id resolved to (ids that name no customer are absent).
 *
 * Why this shape: only live rows are locked, always in ascending id order, so two transactions
 * locking customers can never wait on each other in a cycle (merges racing around X+Y, Y+Z, Z+X
 * used to deadlock: the old loop locked the named rows, then followed redirects to rows locked
 * out of order). A redirect changes only in a transaction that holds its live customer's lock (a
 * merge repoints the loser's ids, a split the ids it gives back), so once the locks are held the
 * resolution cannot change; when it changed between the read and the lock, or a locked row was
 * merged meanwhile, the transaction is restarted (SQLSTATE 40001, retried by withTransaction)
 * before it waits on anything while holding a row that is no longer live.
 */
export async function lockResolved(
  client: PoolClient,
  ids: string[],
): Promise<{ live: CustomerRow[]; resolved: Map<string, string> }> {
  const requested = [...new Set(ids)];
  const resolved = await resolveIds(client, requested);
  const live: CustomerRow[] = [];
  for (const id of [...new Set(resolved.values())].sort()) {
    const { rows } = await client.query<CustomerRow & { merged_into: string | null }>(
      'SELECT id, display_name, attributes, created_at, merged_into FROM customers WHERE id = $1 FOR UPDATE',
      [id],
    );
    const { merged_into, ...row } = rows[0]!;
    if (merged_into) throw redirectedMeanwhile();
    live.push(row);
  }
  const after = await resolveIds(client, requested);
  if (after.size !== resolved.size || [...after].some(([id, to]) => resolved.get(id) !== to))
    throw redirectedMeanwhile();
  live.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id));
  return { live, resolved };
}

/** Each existing id → the live customer it resolves to (redirects are flat: one hop). */
async function resolveIds(client: PoolClient, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<{ id: string; live: string }>(
    'SELECT id, COALESCE(merged_into, id) AS live FROM customers WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.live]));
}

/** A serialization failure: the caller's withTransaction starts over and resolves the ids afresh. */
function redirectedMeanwhile(): Error {
  return Object.assign(new Error('a customer was merged or split while being locked; retrying'), { code: '40001' });
}

export async function createCustomer(
  client: PoolClient,
  displayName: string | undefined,
  at: Date,
): Promise<CustomerRow> {
  const id = randomUUID();
  const { rows } = await client.query<CustomerRow>(
    'INSERT INTO customers (id, display_name, created_at) VALUES ($1, $2, $3) RETURNING id, display_name, attributes, created_at',
    [id, displayName ?? null, at],
  );
  return rows[0]!;
}

export async function identitiesOf(client: PoolClient, customerId: string): Promise<Identity[]> {
  return (await identitiesOfMany(client, [customerId])).get(customerId)!;
}

/**
 * Attaches identities to a customer unless that would pass a per-type limit; those come back as
 * suggestions. Identities already owned (by this customer) are skipped. Returns the customer's
 * identities afterwards.
 */
export async function attachIdentities(
  client: PoolClient,
  customerId: string,
  identities: Identity[],
  policy: IdentityPolicy,
): Promise<{ suggestions: Suggestion[]; identities: Identity[] }> {
  const current = await identitiesOf(client, customerId);
  if (identities.length === 0) return { suggestions: [], identities: current };
  const have = new Set(current.map((i) => `${i.type}:${i.value}`));
  const accepted: Identity[] = [];
  const suggestions: Suggestion[] = [];
  for (const identity of identities) {
    if (have.has(`${identity.type}:${identity.value}`)) continue;
    if (policy.exceeded([...current, ...accepted, identity])) {
      suggestions.push({
        customerId,
        identity,
        reason: 'limit-exceeded',
        detail: `limit for ${identity.type} reached`,
      });
      continue;
    }
    accepted.push(identity);
  }
  await insertIdentities(client, accepted.map((i) => ({ ...i, customerId })));
  return { suggestions, identities: [...current, ...accepted] };
}

/**
 * Folds `merged` into `survivor` (both live and locked by lockResolved): identities, messages and
 * the redirects; records the evidence.
 */
export async function mergeCustomers(
  client: PoolClient,
  survivor: CustomerRow,
  merged: CustomerRow,
  evidence: MergeOutcome['evidence'],
): Promise<MergeOutcome> {
  const { rows: moved } = await client.query<Identity>(
    'UPDATE identities SET customer_id = $1 WHERE customer_id = $2 RETURNING type, value',
    [survivor.id, merged.id],
  );
  await client.query('UPDATE messages SET customer_id = $1 WHERE customer_id = $2', [survivor.id, merged.id]);
  await client.query('UPDATE thread_customers SET customer_id = $1 WHERE customer_id = $2', [survivor.id, merged.id]);
  // Path compression: the ids merged into the loser before now redirect straight to the survivor,
  // so every id resolves in one hop however long the chain of merges (a split restores them).
  await client.query('UPDATE customers SET merged_into = $1 WHERE merged_into = $2', [survivor.id, merged.id]);
  await client.query(`UPDATE customers SET merged_into = $1, updated_at = now() WHERE id = $2;`, [
    survivor.id,
    merged.id,
  ]);
  await client.query(
    `UPDATE customers SET display_name = COALESCE(display_name, $2), attributes = $3 || attributes, updated_at = now() WHERE id = $1`,
    [survivor.id, merged.display_name, merged.attributes],
  );
  const mergeId = randomUUID();
  await client.query(
    'INSERT INTO merges (id, survivor_id, merged_id, evidence, moved_identities) VALUES ($1, $2, $3, $4, $5)',
    [mergeId, survivor.id, merged.id, JSON.stringify(evidence), JSON.stringify(moved)],
  );
  return { mergeId, survivorId: survivor.id, mergedId: merged.id, evidence, movedIdentities: moved };
}

/**
 * Many customers locked in one statement (id order), with their redirect so a caller can tell a
 * live row from a merged one. For the bulk path, whose ids are identities' owners (live rows).
 */
export async function customersForUpdate(
  client: PoolClient,
  ids: string[],
): Promise<Map<string, CustomerRow & { merged_into: string | null }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<CustomerRow & { merged_into: string | null }>(
    'SELECT id, display_name, attributes, created_at, merged_into FROM customers WHERE id = ANY($1) ORDER BY id FOR UPDATE',
    [[...new Set(ids)].sort()],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Identities of many customers, each list in identitiesOf's order. */
export async function identitiesOfMany(client: PoolClient, customerIds: string[]): Promise<Map<string, Identity[]>> {
  const out = new Map<string, Identity[]>(customerIds.map((id) => [id, []]));
  if (customerIds.length === 0) return out;
  const { rows } = await client.query<Identity & { customer_id: string }>(
    'SELECT customer_id, type, value FROM identities WHERE customer_id = ANY($1) ORDER BY created_at, type, value',
    [customerIds],
  );
  for (const r of rows) out.get(r.customer_id)!.push({ type: r.type, value: r.value } as Identity);
  return out;
}

export async function insertCustomers(client: PoolClient, customers: CustomerRow[]): Promise<void> {
  if (customers.length === 0) return;
  await client.query(
    `INSERT INTO customers (id, display_name, created_at)
       SELECT id, display_name, created_at FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, display_name text, created_at timestamptz)`,
    [JSON.stringify(customers.map((c) => ({ id: c.id, display_name: c.display_name, created_at: c.created_at })))],
  );
}

/** Fills in display names that were unknown (never overwrites one). */
export async function fillDisplayNames(client: PoolClient, names: Array<{ id: string; name: string }>): Promise<void> {
  if (names.length === 0) return;
  await client.query(
    `UPDATE customers c SET display_name = x.name FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, name text)
      WHERE c.id = x.id AND c.display_name IS NULL`,
    [JSON.stringify(names)],
  );
}

/** Plain insert: a concurrent owner raises 23505 and the caller's transaction is retried. */
export async function insertIdentities(
  client: PoolClient,
  rows: Array<{ type: string; value: string; customerId: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO identities (type, value, customer_id) SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[])`,
    [rows.map((r) => r.type), rows.map((r) => r.value), rows.map((r) => r.customerId)],
  );
}
