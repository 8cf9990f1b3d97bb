import { randomUUID } from 'node:crypto';
import type { PoolClient } from '@kanal/postgres';
import type { Suggestion } from './pg-identity-graph';

const keyOf = (s: Suggestion) => `${s.customerId}|${s.identity.type}|${s.identity.value}|${s.reason}`;

/**
 * Records suggestions; a suggestion is emitted once per customer, identity and reason, not on every
 * message. Returns, per item, whether this was its first time (the first of equal items in the
 * list wins).
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
  const { rows } = await client.query<{ customer_id: string; identity_type: string; identity_value: string; reason: string }>(
    `INSERT INTO link_suggestions (id, customer_id, candidate_customer_id, identity_type, identity_value, reason, source_event_id)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, customer_id uuid, candidate_customer_id uuid,
         identity_type text, identity_value text, reason text, source_event_id text)
     ON CONFLICT DO NOTHING RETURNING customer_id, identity_type, identity_value, reason`,
    [
      JSON.stringify(
        unique.map(({ suggestion: s, sourceEventId }) => ({
          id: randomUUID(),
          customer_id: s.customerId,
          candidate_customer_id: s.candidateCustomerId ?? null,
          identity_type: s.identity.type,
          identity_value: s.identity.value,
          reason: s.reason,
          source_event_id: sourceEventId,
        })),
      ),
    ],
  );
  const fresh = new Set(rows.map((r) => `${r.customer_id}|${r.identity_type}|${r.identity_value}|${r.reason}`));
  return items.map((item, i) => first.get(keyOf(item.suggestion)) === i && fresh.has(keyOf(item.suggestion)));
}
