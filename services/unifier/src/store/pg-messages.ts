import { cutText, type InboundData, type MessageData, type RecentMessage } from '@kanal/contracts';
import type { PoolClient, Pool } from '@kanal/postgres';

export interface MessageRow {
  id: string;
  channel: string;
  account_id: string;
  external_id: string;
  customer_id: string;
  conversation_id: string;
  direction: string;
  text: string | null;
  occurred_at: Date;
  source_event_id: string;
  data: MessageData;
  state: Record<string, unknown>;
}

const COLUMNS =
  'id, channel, account_id, external_id, customer_id, conversation_id, direction, text, occurred_at, source_event_id, data, state';

export interface NewMessage {
  id: string;
  customerId: string;
  conversationId: string;
  sourceEventId: string;
  sourceType: string;
  senderIdentities: string[];
  data: MessageData;
}

/** Inserts once per (channel, accountId, externalId); returns undefined when it already exists. */
export async function insertMessage(client: PoolClient, m: NewMessage): Promise<MessageRow | undefined> {
  const d = m.data;
  const { rows } = await client.query<MessageRow>(
    `INSERT INTO messages (id, channel, account_id, external_id, customer_id, origin_customer_id, conversation_id, direction,
        text, occurred_at, source_event_id, source_type, sender_identities, data)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (channel, account_id, external_id) DO NOTHING RETURNING ${COLUMNS}`,
    [
      m.id,
      d.channel,
      d.accountId,
      d.externalId,
      m.customerId,
      m.conversationId,
      d.direction,
      d.text ?? null,
      d.occurredAt,
      m.sourceEventId,
      m.sourceType,
      m.senderIdentities,
      JSON.stringify(d),
    ],
  );
  return rows[0];
}

export async function findMessage(
  client: PoolClient,
  ref: Pick<InboundData, 'channel' | 'accountId'> & { externalId: string },
  { lock = false } = {},
): Promise<MessageRow | undefined> {
  const { rows } = await client.query<MessageRow>(
    `SELECT ${COLUMNS} FROM messages WHERE channel = $1 AND account_id = $2 AND external_id = $3${lock ? ' FOR UPDATE' : ''}`,
    [ref.channel, ref.accountId, ref.externalId],
  );
  return rows[0];
}

export async function updateMessageState(
  client: PoolClient,
  id: string,
  state: Record<string, unknown>,
  text?: string,
) {
  await client.query('UPDATE messages SET state = $2, text = COALESCE($3, text) WHERE id = $1', [
    id,
    JSON.stringify(state),
    text ?? null,
  ]);
}

/** The customer's last messages across channels, newest first, text trimmed to 280 characters. */
export async function recentMessages(client: PoolClient | Pool, customerId: string, limit = 5): Promise<RecentMessage[]> {
  const [rows] = (await recentMessagesOfMany(client, [{ customerId, limit }])).values();
  return rows!.map(({ id: _id, ...m }) => m);
}

interface RecentRow {
  external_id: string;
  channel: string;
  direction: string;
  text: string | null;
  occurred_at: Date;
}

function toRecent(r: RecentRow): RecentMessage {
  return {
    externalId: r.external_id,
    channel: r.channel as RecentMessage['channel'],
    direction: r.direction as RecentMessage['direction'],
    // Never inside a surrogate pair or a grapheme: a lone surrogate is text Postgres refuses.
    ...(r.text ? { text: cutText(r.text, 280) } : {}),
    occurredAt: r.occurred_at.toISOString(),
  };
}

export const messageKey = (m: { channel: string; accountId: string; externalId: string }) =>
  `${m.channel}|${m.accountId}|${m.externalId}`;

/** Which of these messages are stored already, by messageKey. */
export async function storedMessageKeys(client: PoolClient, refs: MessageData[]): Promise<Set<string>> {
  if (refs.length === 0) return new Set();
  const { rows } = await client.query<{ channel: string; account_id: string; external_id: string }>(
    `SELECT m.channel, m.account_id, m.external_id FROM messages m
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS q(channel, account_id, external_id)
         ON m.channel = q.channel AND m.account_id = q.account_id AND m.external_id = q.external_id`,
    [refs.map((r) => r.channel), refs.map((r) => r.accountId), refs.map((r) => r.externalId)],
  );
  return new Set(rows.map((r) => messageKey({ channel: r.channel, accountId: r.account_id, externalId: r.external_id })));
}

/** Plain insert of messages checked absent under their locks: a conflict (23505) retries the transaction. */
export async function insertMessages(client: PoolClient, messages: NewMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const records = messages.map((m) => ({
    id: m.id,
    channel: m.data.channel,
    account_id: m.data.accountId,
    external_id: m.data.externalId,
    customer_id: m.customerId,
    conversation_id: m.conversationId,
    direction: m.data.direction,
    text: m.data.text ?? null,
    occurred_at: m.data.occurredAt,
    source_event_id: m.sourceEventId,
    source_type: m.sourceType,
    sender_identities: m.senderIdentities,
    data: m.data,
  }));
  await client.query(
    `INSERT INTO messages (id, channel, account_id, external_id, customer_id, origin_customer_id, conversation_id, direction,
        text, occurred_at, source_event_id, source_type, sender_identities, data)
     SELECT id, channel, account_id, external_id, customer_id, customer_id, conversation_id, direction,
        text, occurred_at, source_event_id, source_type, sender_identities, data
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, channel text, account_id text, external_id text, customer_id uuid,
        conversation_id uuid, direction text, text text, occurred_at timestamptz, source_event_id text, source_type text,
        sender_identities text[], data jsonb)`,
    [JSON.stringify(records)],
  );
}

/**
 * The newest `limit` messages of each customer, newest first, in one statement. Callers that just
 * wrote k messages for a customer ask for limit + k and drop the ones "from the future" themselves.
 */
export async function recentMessagesOfMany(
  client: PoolClient | Pool,
  wanted: Array<{ customerId: string; limit: number }>,
): Promise<Map<string, Array<RecentMessage & { id: string }>>> {
  const out = new Map<string, Array<RecentMessage & { id: string }>>(wanted.map((w) => [w.customerId, []]));
  if (wanted.length === 0) return out;
  const { rows } = await client.query<RecentRow & { id: string; customer_id: string }>(
    `SELECT q.customer_id, m.id, m.external_id, m.channel, m.direction, m.text, m.occurred_at
       FROM unnest($1::uuid[], $2::int[]) AS q(customer_id, n)
       CROSS JOIN LATERAL (SELECT id, external_id, channel, direction, text, occurred_at FROM messages
          WHERE customer_id = q.customer_id ORDER BY occurred_at DESC, id DESC LIMIT q.n) m`,
    [wanted.map((w) => w.customerId), wanted.map((w) => w.limit)],
  );
  for (const r of rows) out.get(r.customer_id)!.push({ id: r.id, ...toRecent(r) });
  return out;
}

/** State events parked for these messages, removed as they are handed over (oldest first per message). */
export async function takePendingStateEvents<E extends { data: { occurredAt: string } }>(
  client: PoolClient,
  refs: Array<{ channel: string; accountId: string; externalId: string }>,
): Promise<Map<string, E[]>> {
  const out = new Map<string, E[]>();
  if (refs.length === 0) return out;
  const { rows } = await client.query<{ channel: string; account_id: string; target_external_id: string; event: E }>(
    `DELETE FROM pending_state_events p USING unnest($1::text[], $2::text[], $3::text[]) AS q(channel, account_id, external_id)
      WHERE p.channel = q.channel AND p.account_id = q.account_id AND p.target_external_id = q.external_id
      RETURNING p.channel, p.account_id, p.target_external_id, p.event`,
    [refs.map((r) => r.channel), refs.map((r) => r.accountId), refs.map((r) => r.externalId)],
  );
  for (const r of rows) {
    const key = messageKey({ channel: r.channel, accountId: r.account_id, externalId: r.target_external_id });
    out.set(key, [...(out.get(key) ?? []), r.event]);
  }
  for (const list of out.values()) list.sort((a, b) => a.data.occurredAt.localeCompare(b.data.occurredAt));
  return out;
}
