import type { Priority } from '@kanal/contracts';
import type { Queryable } from './conversation-repo';

export interface HistoryEntry {
  conversationId: string;
  eventId: string;
  type: string;
  reason?: string;
  queue: string;
  priority: Priority;
  slaDueAt?: Date | null;
  ruleIds?: string[];
  matchedTerms?: string[];
  tags?: string[];
  at: Date;
}

export async function appendHistory(db: Queryable, e: HistoryEntry): Promise<void> {
  await db.query(
    `INSERT INTO routing_history (conversation_id, event_id, type, reason, queue, priority, sla_due_at, rule_ids, matched_terms, tags, at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (event_id) DO NOTHING`,
    [e.conversationId, e.eventId, e.type, e.reason ?? null, e.queue, e.priority, e.slaDueAt ?? null,
     e.ruleIds ?? [], e.matchedTerms ?? [], e.tags ?? [], e.at],
  );
}

export async function conversationHistory(db: Queryable, conversationId: string) {
  const { rows } = await db.query(
    `SELECT event_id, type, reason, queue, priority, sla_due_at, rule_ids, matched_terms, tags, at
     FROM routing_history WHERE conversation_id = $1 ORDER BY seq LIMIT 500`,
    [conversationId],
  );
  return rows.map((r) => ({
    eventId: r.event_id as string,
    type: r.type as string,
    reason: (r.reason as string | null) ?? undefined,
    queue: r.queue as string,
    priority: r.priority as Priority,
    slaDueAt: (r.sla_due_at as Date | null)?.toISOString(),
    ruleIds: r.rule_ids as string[],
    matchedTerms: r.matched_terms as string[],
    tags: r.tags as string[],
    at: (r.at as Date).toISOString(),
  }));
}
