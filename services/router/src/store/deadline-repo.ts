import type { Queryable } from './conversation-repo';

/** One first-response deadline per conversation generation (a reopen starts a new clock). */
export function deadlineId(conversationId: string, generation: number): string {
  return `${conversationId}:first-response:${generation}`;
}

/** Creates the deadline, or moves a pending one earlier (escalation and merges only ever tighten it). */
export async function upsertDeadline(db: Queryable, id: string, conversationId: string, dueAt: Date): Promise<void> {
  await db.query(
    `INSERT INTO sla_deadlines (deadline_id, conversation_id, due_at, state) VALUES ($1,$2,$3,'pending')
     ON CONFLICT (deadline_id) DO UPDATE SET due_at = LEAST(sla_deadlines.due_at, EXCLUDED.due_at)
     WHERE sla_deadlines.state = 'pending'`,
    [id, conversationId, dueAt],
  );
}

/** Stops (responded) or cancels (closed, merged) a pending deadline; a breached one stays breached. */
export async function settleDeadline(db: Queryable, id: string, state: 'stopped' | 'cancelled'): Promise<void> {
  await db.query(`UPDATE sla_deadlines SET state = $2 WHERE deadline_id = $1 AND state = 'pending'`, [id, state]);
}
