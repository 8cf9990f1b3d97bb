import type { Pool } from '@kanal/postgres';
import { customerSummaries, type CustomerSummaryView } from '../store/pg-customer-summaries';
import { suggestionPage, type SuggestionRow, type SuggestionStatus } from '../store/pg-suggestion-review';

/**
 * One page of suggestions of a status, newest first, each with both customers as they are now
 * (merge redirects followed) and the evidence. `moot`: both sides are one customer meanwhile.
 */
export async function listSuggestions(pool: Pool, status: SuggestionStatus, limit: number, after?: [string, string]) {
  const rows = await suggestionPage(pool, status, limit + 1, after);
  const page = rows.slice(0, limit);
  const summaries = await customerSummaries(
    pool,
    page.flatMap((r) => [r.customer_id, ...(r.candidate_customer_id ? [r.candidate_customer_id] : [])]),
  );
  const last = rows.length > limit ? page[page.length - 1] : undefined;
  return {
    items: page.map((r) => suggestionView(r, summaries)),
    next: last ? ([last.created_key, last.id] as [string, string]) : undefined,
  };
}

export function suggestionView(r: SuggestionRow, summaries: Map<string, CustomerSummaryView>) {
  const customer = summaries.get(r.customer_id)!;
  const candidate = r.candidate_customer_id ? summaries.get(r.candidate_customer_id)! : null;
  return {
    id: r.id,
    status: r.status,
    reason: r.reason,
    customer,
    candidate,
    moot: candidate !== null && candidate.id === customer.id,
    evidence: {
      identity: { type: r.identity_type, value: r.identity_value },
      reason: r.reason,
      ...(r.detail ? { detail: r.detail } : {}),
      ...(r.source_event_id ? { sourceEventId: r.source_event_id } : {}),
      createdAt: r.created_at.toISOString(),
    },
    createdAt: r.created_at.toISOString(),
    ...(r.decided_at
      ? {
          decision: {
            decidedAt: r.decided_at.toISOString(),
            ...(r.decided_by ? { actor: r.decided_by } : {}),
            ...(r.decision_reason ? { reason: r.decision_reason } : {}),
            ...(r.merge_id ? { mergeId: r.merge_id } : {}),
            ...(r.merge_undone_at ? { mergeUndoneAt: r.merge_undone_at.toISOString() } : {}),
          },
        }
      : {}),
  };
}
