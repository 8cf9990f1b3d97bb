import type { Conversation, Queryable } from './conversation-repo';
import type { HistoryEntry } from './history-repo';

/** Multi-row upsert of conversations through jsonb_to_recordset (one round trip per batch). */
export async function flushConversations(db: Queryable, list: Conversation[]): Promise<void> {
  if (list.length === 0) return;
  await db.query(
    `INSERT INTO conversations (id, customer_id, customer, status, queue, priority, channel, channels, last_inbound_channel,
       last_inbound_at, opened_at, generation, sla_started_at, sla_due_at, sla_breached, first_response_at, closed_at, merged_into, updated_at)
     SELECT id, customer_id, customer, status, queue, priority, channel, channels, last_inbound_channel, last_inbound_at, opened_at,
       generation, sla_started_at, sla_due_at, sla_breached, first_response_at, closed_at, merged_into, now()
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, customer_id text, customer jsonb, status text, queue text, priority text,
       channel text, channels text[], last_inbound_channel text, last_inbound_at timestamptz, opened_at timestamptz, generation int,
       sla_started_at timestamptz, sla_due_at timestamptz, sla_breached boolean, first_response_at timestamptz, closed_at timestamptz,
       merged_into text)
     ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id, customer = EXCLUDED.customer, status = EXCLUDED.status,
       queue = EXCLUDED.queue, priority = EXCLUDED.priority, channels = EXCLUDED.channels,
       last_inbound_channel = EXCLUDED.last_inbound_channel, last_inbound_at = EXCLUDED.last_inbound_at,
       generation = EXCLUDED.generation, sla_started_at = EXCLUDED.sla_started_at, sla_due_at = EXCLUDED.sla_due_at,
       sla_breached = EXCLUDED.sla_breached, first_response_at = EXCLUDED.first_response_at, closed_at = EXCLUDED.closed_at,
       merged_into = EXCLUDED.merged_into, updated_at = now()`,
    [
      JSON.stringify(
        list.map((c) => ({
          id: c.id, customer_id: c.customerId, customer: c.customer, status: c.status, queue: c.queue, priority: c.priority,
          channel: c.channel, channels: c.channels, last_inbound_channel: c.lastInboundChannel, last_inbound_at: c.lastInboundAt,
          opened_at: c.openedAt, generation: c.generation, sla_started_at: c.slaStartedAt, sla_due_at: c.slaDueAt,
          sla_breached: c.slaBreached, first_response_at: c.firstResponseAt, closed_at: c.closedAt, merged_into: c.mergedInto,
        })),
      ),
    ],
  );
}

export async function flushDeadlines(
  db: Queryable,
  upserts: Map<string, { conversationId: string; dueAt: Date }>,
  settled: Map<string, 'stopped' | 'cancelled'>,
): Promise<void> {
  if (upserts.size > 0) {
    const rows = [...upserts];
    await db.query(
      `INSERT INTO sla_deadlines (deadline_id, conversation_id, due_at, state)
       SELECT d, c, t, 'pending' FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(d, c, t)
       ON CONFLICT (deadline_id) DO UPDATE SET due_at = LEAST(sla_deadlines.due_at, EXCLUDED.due_at)
       WHERE sla_deadlines.state = 'pending'`,
      [rows.map(([id]) => id), rows.map(([, v]) => v.conversationId), rows.map(([, v]) => v.dueAt)],
    );
  }
  if (settled.size > 0) {
    const rows = [...settled];
    await db.query(
      `UPDATE sla_deadlines d SET state = u.s FROM unnest($1::text[], $2::text[]) AS u(id, s)
       WHERE d.deadline_id = u.id AND d.state = 'pending'`,
      [rows.map(([id]) => id), rows.map(([, s]) => s)],
    );
  }
}

export async function flushHistory(db: Queryable, list: HistoryEntry[]): Promise<void> {
  if (list.length === 0) return;
  await db.query(
    `INSERT INTO routing_history (conversation_id, event_id, type, reason, queue, priority, sla_due_at, rule_ids, matched_terms, tags, at)
     SELECT conversation_id, event_id, type, reason, queue, priority, sla_due_at, rule_ids, matched_terms, tags, at
     FROM jsonb_to_recordset($1::jsonb) AS r(conversation_id text, event_id text, type text, reason text, queue text, priority text,
       sla_due_at timestamptz, rule_ids text[], matched_terms text[], tags text[], at timestamptz)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      JSON.stringify(
        list.map((e) => ({
          conversation_id: e.conversationId, event_id: e.eventId, type: e.type, reason: e.reason ?? null, queue: e.queue,
          priority: e.priority, sla_due_at: e.slaDueAt ?? null, rule_ids: e.ruleIds ?? [], matched_terms: e.matchedTerms ?? [],
          tags: e.tags ?? [], at: e.at,
        })),
      ),
    ],
  );
}
