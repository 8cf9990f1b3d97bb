import { randomUUID } from 'node:crypto';
import type { PoolClient } from '@kanal/postgres';

export interface ConversationRow {
  id: string;
  customer_id: string;
  status: string;
  opened_at: Date;
  last_message_at: Date;
  channels: string[];
  message_count: number;
}

const COLUMNS = 'id, customer_id, status, opened_at, last_message_at, channels, message_count';

/**
 * The customer's one open conversation (continuity across channels), or a new one when there is
 * none or the last message is older than the idle timeout.
 */
export async function conversationFor(
  client: PoolClient,
  customerId: string,
  at: Date,
  idleHours: number,
): Promise<ConversationRow> {
  const { rows } = await client.query<ConversationRow>(
    `SELECT ${COLUMNS} FROM conversations WHERE customer_id = $1 AND status = 'open' FOR UPDATE`,
    [customerId],
  );
  const open = rows[0];
  if (open && at.getTime() - open.last_message_at.getTime() <= idleHours * 3_600_000) return open;
  if (open) await client.query(`UPDATE conversations SET status = 'closed' WHERE id = $1`, [open.id]);
  const created = await client.query<ConversationRow>(
    `INSERT INTO conversations (id, customer_id, opened_at, last_message_at) VALUES ($1, $2, $3, $3) RETURNING ${COLUMNS}`,
    [randomUUID(), customerId, at],
  );
  return created.rows[0]!;
}

export async function recordMessageIn(client: PoolClient, conversation: ConversationRow, channel: string, at: Date) {
  const { rows } = await client.query<ConversationRow>(
    `UPDATE conversations SET message_count = message_count + 1,
        last_message_at = GREATEST(last_message_at, $2),
        channels = CASE WHEN $3 = ANY(channels) THEN channels ELSE channels || $3::text END
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [conversation.id, at, channel],
  );
  return rows[0]!;
}

export async function conversationById(client: PoolClient, id: string): Promise<ConversationRow> {
  const { rows } = await client.query<ConversationRow>(`SELECT ${COLUMNS} FROM conversations WHERE id = $1`, [id]);
  return rows[0]!;
}

/**
 * After a merge the survivor may own two open conversations: the earlier-opened one is kept and the
 * other's messages are folded into it (one conversation per customer).
 */
export async function foldOpenConversations(
  client: PoolClient,
  survivorId: string,
  mergedId: string,
): Promise<{ kept?: string; folded: string[] }> {
  const { rows } = await client.query<ConversationRow>(
    `SELECT ${COLUMNS} FROM conversations WHERE customer_id = ANY($1) AND status = 'open' ORDER BY opened_at, id FOR UPDATE`,
    [[survivorId, mergedId]],
  );
  const [kept, ...others] = rows;
  for (const other of others) {
    await client.query(`UPDATE conversations SET status = 'folded', folded_into = $2 WHERE id = $1`, [
      other.id,
      kept!.id,
    ]);
    await client.query('UPDATE messages SET conversation_id = $2 WHERE conversation_id = $1', [other.id, kept!.id]);
    await client.query(
      `UPDATE conversations SET message_count = message_count + $2, last_message_at = GREATEST(last_message_at, $3),
          channels = ARRAY(SELECT DISTINCT unnest(channels || $4::text[])) WHERE id = $1`,
      [kept!.id, other.message_count, other.last_message_at, other.channels],
    );
  }
  if (kept) await client.query('UPDATE conversations SET customer_id = $2 WHERE id = $1', [kept.id, survivorId]);
  // Closed history of the merged customer now belongs to the survivor too.
  await client.query('UPDATE conversations SET customer_id = $1 WHERE customer_id = $2', [survivorId, mergedId]);
  return { kept: kept?.id, folded: others.map((o) => o.id) };
}

/** The open conversations of many customers, locked in id order. */
export async function openConversationsForUpdate(
  client: PoolClient,
  customerIds: string[],
): Promise<Map<string, ConversationRow>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await client.query<ConversationRow>(
    `SELECT ${COLUMNS} FROM conversations WHERE customer_id = ANY($1) AND status = 'open' ORDER BY id FOR UPDATE`,
    [customerIds],
  );
  return new Map(rows.map((r) => [r.customer_id, r]));
}

export async function closeConversations(client: PoolClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.query(`UPDATE conversations SET status = 'closed' WHERE id = ANY($1)`, [ids]);
}

const asRecord = (c: ConversationRow) => ({
  id: c.id,
  customer_id: c.customer_id,
  status: c.status,
  opened_at: c.opened_at,
  last_message_at: c.last_message_at,
  channels: c.channels,
  message_count: c.message_count,
});

/** New conversations in their final state (a batch may open and idle-close one). */
export async function insertConversations(client: PoolClient, rows: ConversationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO conversations (id, customer_id, status, opened_at, last_message_at, channels, message_count)
       SELECT id, customer_id, status, opened_at, last_message_at, channels, message_count FROM jsonb_to_recordset($1::jsonb)
         AS x(id uuid, customer_id uuid, status text, opened_at timestamptz, last_message_at timestamptz, channels text[], message_count int)`,
    [JSON.stringify(rows.map(asRecord))],
  );
}

/** Writes the counters of conversations the caller holds locked (absolute values, not increments). */
export async function updateConversationCounters(client: PoolClient, rows: ConversationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `UPDATE conversations c SET message_count = x.message_count, last_message_at = x.last_message_at, channels = x.channels
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, last_message_at timestamptz, channels text[], message_count int)
      WHERE c.id = x.id`,
    [JSON.stringify(rows.map(asRecord))],
  );
}
