import { customerEventId } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import type { Suggestion } from './pg-identity-graph';

const keyOf = (s: Suggestion) => `${s.customerId}|${s.identity.type}|${s.identity.value}|${s.reason}`;

/** The suggestion's id (also its event's id): the same input event always suggests under the same id. */
export function suggestionIdOf(s: Suggestion, sourceEventId: string | undefined): string {
  return customerEventId('suggestion', sourceEventId ?? '', s.customerId, s.identity.type, s.identity.value, s.reason);
}

/**
 * Records suggestions; returns, per item, whether it is new and to be announced. A suggestion is
 * made once per customer, identity and reason, and once per pair of customers and evidence
 * (whichever of the two presented it), never for a pair an agent rejected for that reason (kept as
 * `suppressed`, so it is not weighed again). The first of equal items in the list wins.
 */
export async function recordSuggestions(
  client: PoolClient,
  items: Array<{ suggestion: Suggestion; sourceEventId: string }>,
): Promise<boolean[]> {
  if (items.length === 0) return [];
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    if (!first.has(keyOf(item.suggestion))) first.set(keyOf(item.suggestion), i);
  });
  const unique = [...first.values()].map((i) => items[i]!);
  const rows = unique.map(({ suggestion: s, sourceEventId }) => ({
    id: suggestionIdOf(s, sourceEventId),
    customer_id: s.customerId,
    candidate_customer_id: s.candidateCustomerId ?? null,
    identity_type: s.identity.type,
    identity_value: s.identity.value,
    reason: s.reason,
    detail: s.detail ?? null,
    source_event_id: sourceEventId,
  }));
  // Only suggestions naming a second customer can meet a rejection: the others skip that check.
  const paired = rows.some((r) => r.candidate_customer_id !== null);
  const { rows: inserted } = await client.query<{ id: string; status?: string }>(
    paired ? INSERT_CHECKING_REJECTIONS : INSERT,
    [JSON.stringify(rows)],
  );
  const fresh = new Set(inserted.filter((r) => r.status !== 'suppressed').map((r) => r.id));
  return items.map(
    (item, i) =>
      first.get(keyOf(item.suggestion)) === i && fresh.has(suggestionIdOf(item.suggestion, item.sourceEventId)),
  );
}

const RECORDS = `jsonb_to_recordset($1::jsonb) AS x(id uuid, customer_id uuid, candidate_customer_id uuid,
  identity_type text, identity_value text, reason text, detail text, source_event_id text)`;

const INSERT = `INSERT INTO link_suggestions (id, customer_id, candidate_customer_id, identity_type, identity_value, reason, detail, source_event_id)
  SELECT * FROM ${RECORDS}
  ON CONFLICT DO NOTHING RETURNING id`;

// A rejection names the pair's live ids at the time; `alias` adds every id merged into either
// customer since, so a rejection keeps holding after a merge redirected one of them.
const INSERT_CHECKING_REJECTIONS = `WITH RECURSIVE x AS (SELECT * FROM ${RECORDS}),
  alias(root, id, depth) AS (
    SELECT r, r, 0 FROM (SELECT customer_id FROM x UNION SELECT candidate_customer_id FROM x WHERE candidate_customer_id IS NOT NULL) AS roots(r)
    UNION ALL SELECT a.root, c.id, a.depth + 1 FROM alias a JOIN customers c ON c.merged_into = a.id WHERE a.depth < 50
  )
  INSERT INTO link_suggestions (id, customer_id, candidate_customer_id, identity_type, identity_value, reason, detail, source_event_id, status)
  SELECT x.*, CASE WHEN x.candidate_customer_id IS NOT NULL AND EXISTS (
      SELECT 1 FROM link_rejections j JOIN alias p ON p.id = j.customer_a JOIN alias q ON q.id = j.customer_b
       WHERE j.reason = x.reason AND ((p.root = x.customer_id AND q.root = x.candidate_customer_id)
                                   OR (p.root = x.candidate_customer_id AND q.root = x.customer_id))
    ) THEN 'suppressed' ELSE 'open' END
  FROM x
  ON CONFLICT DO NOTHING RETURNING id, status`;
