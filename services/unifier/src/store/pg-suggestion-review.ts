import type { Pool, PoolClient } from '@kanal/postgres';

export type SuggestionStatus = 'open' | 'accepted' | 'rejected';

export interface SuggestionRow {
  id: string;
  status: SuggestionStatus | 'suppressed';
  customer_id: string;
  candidate_customer_id: string | null;
  identity_type: string;
  identity_value: string;
  reason: string;
  detail: string | null;
  source_event_id: string | null;
  created_at: Date;
  /** created_at at full (microsecond) precision, for page cursors. */
  created_key: string;
  decided_at: Date | null;
  decided_by: string | null;
  decision_reason: string | null;
  merge_id: string | null;
  merge_undone_at: Date | null;
  outcome: unknown;
}

const COLUMNS = `s.id, s.status, s.customer_id, s.candidate_customer_id, s.identity_type, s.identity_value, s.reason, s.detail,
  s.source_event_id, s.created_at, to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key,
  s.decided_at, s.decided_by, s.decision_reason, s.merge_id, m.undone_at AS merge_undone_at, s.outcome`;
const FROM = 'FROM link_suggestions s LEFT JOIN merges m ON m.id = s.merge_id';

/** Newest first; `after` is the (created_key, id) of the last row of the previous page. */
export async function suggestionPage(
  pool: Pool,
  status: SuggestionStatus,
  limit: number,
  after?: [string, string],
): Promise<SuggestionRow[]> {
  const { rows } = after
    ? await pool.query<SuggestionRow>(
        `SELECT ${COLUMNS} ${FROM} WHERE s.status = $1 AND (s.created_at, s.id) < ($3::timestamptz, $4::uuid)
          ORDER BY s.created_at DESC, s.id DESC LIMIT $2`,
        [status, limit, after[0], after[1]],
      )
    : await pool.query<SuggestionRow>(
        `SELECT ${COLUMNS} ${FROM} WHERE s.status = $1 ORDER BY s.created_at DESC, s.id DESC LIMIT $2`,
        [status, limit],
      );
  return rows;
}

export async function suggestionById(
  db: Pool | PoolClient,
  id: string,
  { lock = false } = {},
): Promise<SuggestionRow | undefined> {
  const { rows } = await db.query<SuggestionRow>(
    `SELECT ${COLUMNS} ${FROM} WHERE s.id = $1 ${lock ? 'FOR UPDATE OF s' : ''}`,
    [id],
  );
  return rows[0];
}

export async function recordDecision(
  client: PoolClient,
  ids: string[],
  decision: { status: 'accepted' | 'rejected'; actor?: string; reason?: string; mergeId?: string; outcome?: unknown },
): Promise<void> {
  await client.query(
    `UPDATE link_suggestions SET status = $2, decided_at = now(), decided_by = $3, decision_reason = $4, merge_id = $5,
        outcome = $6 WHERE id = ANY($1)`,
    [
      ids,
      decision.status,
      decision.actor ?? null,
      decision.reason ?? null,
      decision.mergeId ?? null,
      decision.outcome === undefined ? null : JSON.stringify(decision.outcome),
    ],
  );
}

/**
 * Remembers that two customers are not one person as far as evidence of `reason` goes. The ids are
 * the live ones at decision time; later checks also match ids that merged into either of them.
 */
export async function recordRejection(
  client: PoolClient,
  pair: [string, string],
  reason: string,
  suggestionId: string,
): Promise<void> {
  const [a, b] = [...pair].sort() as [string, string];
  await client.query(
    `INSERT INTO link_rejections (customer_a, customer_b, reason, suggestion_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_a, customer_b, reason) DO NOTHING`,
    [a, b, reason, suggestionId],
  );
}

/**
 * The other open suggestions of the same pair (either direction, counting ids merged into either
 * customer) and reason: one rejection answers them all.
 */
export async function openSuggestionsOfPair(
  client: PoolClient,
  pair: [string, string],
  reason: string,
): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `WITH RECURSIVE alias(root, id, depth) AS (
        SELECT r, r, 0 FROM unnest($1::uuid[]) AS r
        UNION ALL SELECT a.root, c.id, a.depth + 1 FROM alias a JOIN customers c ON c.merged_into = a.id WHERE a.depth < 50
      )
      SELECT s.id FROM link_suggestions s
        JOIN alias x ON x.id = s.customer_id JOIN alias y ON y.id = s.candidate_customer_id
       WHERE s.status = 'open' AND s.reason = $2 AND x.root <> y.root
       ORDER BY s.id FOR UPDATE OF s`,
    [pair, reason],
  );
  return rows.map((r) => r.id);
}
