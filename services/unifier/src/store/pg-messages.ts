import type { InboundData, MessageData, RecentMessage } from '@kanal/contracts';
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
export async function recentMessages(
  client: PoolClient | Pool,
  customerId: string,
  limit = 5,
): Promise<RecentMessage[]> {
  const { rows } = await client.query<{
    external_id: string;
    channel: string;
    direction: string;
    text: string | null;
    occurred_at: Date;
  }>(
    `SELECT external_id, channel, direction, text, occurred_at FROM messages WHERE customer_id = $1
      ORDER BY occurred_at DESC, id DESC LIMIT $2`,
    [customerId, limit],
  );
  return rows.map((r) => ({
    externalId: r.external_id,
    channel: r.channel as RecentMessage['channel'],
    direction: r.direction as RecentMessage['direction'],
    ...(r.text ? { text: r.text.length > 280 ? `${r.text.slice(0, 279)}…` : r.text } : {}),
    occurredAt: r.occurred_at.toISOString(),
  }));
}
