import type { Channel, Identity, Priority } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';

export type ConversationStatus = 'waiting' | 'responded' | 'closed' | 'merged';

export interface CustomerRef {
  id: string;
  displayName?: string;
  identities: Identity[];
}

/** The router's view of one unifier conversation. */
export interface Conversation {
  id: string;
  customerId: string;
  customer: CustomerRef;
  status: ConversationStatus;
  queue: string;
  priority: Priority;
  channel: Channel;
  channels: Channel[];
  lastInboundChannel: Channel;
  lastInboundAt: Date;
  openedAt: Date;
  generation: number;
  slaStartedAt: Date;
  slaDueAt: Date | null;
  slaBreached: boolean;
  firstResponseAt: Date | null;
  closedAt: Date | null;
  mergedInto: string | null;
}

export type Queryable = Pick<PoolClient, 'query'>;

const COLUMNS = `id, customer_id, customer, status, queue, priority, channel, channels, last_inbound_channel,
  last_inbound_at, opened_at, generation, sla_started_at, sla_due_at, sla_breached, first_response_at, closed_at, merged_into`;

export function toConversation(r: Record<string, unknown>): Conversation {
  return {
    id: r.id as string,
    customerId: r.customer_id as string,
    customer: r.customer as CustomerRef,
    status: r.status as ConversationStatus,
    queue: r.queue as string,
    priority: r.priority as Priority,
    channel: r.channel as Channel,
    channels: r.channels as Channel[],
    lastInboundChannel: r.last_inbound_channel as Channel,
    lastInboundAt: r.last_inbound_at as Date,
    openedAt: r.opened_at as Date,
    generation: r.generation as number,
    slaStartedAt: r.sla_started_at as Date,
    slaDueAt: (r.sla_due_at as Date | null) ?? null,
    slaBreached: r.sla_breached as boolean,
    firstResponseAt: (r.first_response_at as Date | null) ?? null,
    closedAt: (r.closed_at as Date | null) ?? null,
    mergedInto: (r.merged_into as string | null) ?? null,
  };
}

export async function lockConversation(db: Queryable, id: string): Promise<Conversation | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM conversations WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ? toConversation(rows[0]) : undefined;
}

export async function lockConversations(db: Queryable, ids: string[]): Promise<Conversation[]> {
  // Ordered locking: two merges touching the same conversations cannot deadlock.
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM conversations WHERE id = ANY($1) ORDER BY id FOR UPDATE`, [ids]);
  return rows.map(toConversation);
}

export async function getConversation(db: Queryable, id: string): Promise<Conversation | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM conversations WHERE id = $1`, [id]);
  return rows[0] ? toConversation(rows[0]) : undefined;
}

export async function customerConversations(db: Queryable, customerId: string, limit = 100): Promise<Conversation[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM conversations WHERE customer_id = $1 ORDER BY opened_at DESC LIMIT $2`,
    [customerId, limit],
  );
  return rows.map(toConversation);
}

/** The queue of the customer's most recent other conversation (returning-customer preference). */
/** The customer's latest conversation other than `excludeId` (its queue is the returning-customer preference). */
export async function previousConversation(db: Queryable, customerId: string, excludeId: string): Promise<PreviousConversation | undefined> {
  const { rows } = await db.query(
    `SELECT id, queue FROM conversations WHERE customer_id = $1 AND id <> $2 ORDER BY opened_at DESC LIMIT 1`,
    [customerId, excludeId],
  );
  return rows[0] ? { id: rows[0].id as string, queue: rows[0].queue as string } : undefined;
}

export interface PreviousConversation {
  id: string;
  queue: string;
}

export async function saveConversation(db: Queryable, c: Conversation): Promise<void> {
  await db.query(
    `INSERT INTO conversations (${COLUMNS}, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18, now())
     ON CONFLICT (id) DO UPDATE SET customer_id = $2, customer = $3, status = $4, queue = $5, priority = $6,
       channels = $8, last_inbound_channel = $9, last_inbound_at = $10, generation = $12, sla_started_at = $13,
       sla_due_at = $14, sla_breached = $15, first_response_at = $16, closed_at = $17, merged_into = $18, updated_at = now()`,
    [
      c.id, c.customerId, JSON.stringify(c.customer), c.status, c.queue, c.priority, c.channel, c.channels,
      c.lastInboundChannel, c.lastInboundAt, c.openedAt, c.generation, c.slaStartedAt, c.slaDueAt, c.slaBreached,
      c.firstResponseAt, c.closedAt, c.mergedInto,
    ],
  );
}

export async function reassignCustomer(db: Queryable, fromCustomerId: string, toCustomerId: string): Promise<void> {
  await db.query(`UPDATE conversations SET customer_id = $2, updated_at = now() WHERE customer_id = $1`, [
    fromCustomerId,
    toCustomerId,
  ]);
}

/**
 * A name an agent changed (`kanal.customer.updated.v1`) replaces the one in the summaries of the
 * customer's conversations, so later routing events (breaches, closes) carry it.
 */
export async function renameCustomer(db: Queryable, customerId: string, displayName: string | null): Promise<void> {
  await db.query(
    `UPDATE conversations SET customer = CASE WHEN $2::text IS NULL THEN customer - 'displayName'
        ELSE jsonb_set(customer, '{displayName}', to_jsonb($2::text)) END, updated_at = now()
      WHERE customer_id = $1`,
    [customerId, displayName],
  );
}

/** True the first time an event id is seen (redelivery and a second instance are no-ops). */
export async function markProcessed(db: Queryable, eventId: string): Promise<boolean> {
  const { rowCount } = await db.query(`INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING`, [eventId]);
  return rowCount === 1;
}

/** Records one inbound contact and counts the customer's contacts within each window. */
export async function countContacts(
  db: Queryable,
  contact: { eventId: string; customerId: string; at: Date },
  windowsMs: number[],
): Promise<Map<number, number>> {
  await db.query(`INSERT INTO contacts (event_id, customer_id, at) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`, [
    contact.eventId,
    contact.customerId,
    contact.at,
  ]);
  const counts = new Map<number, number>();
  for (const ms of windowsMs) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM contacts WHERE customer_id = $1 AND at > $2 AND at <= $3`, [
      contact.customerId,
      new Date(contact.at.getTime() - ms),
      contact.at,
    ]);
    counts.set(ms, rows[0]!.n as number);
  }
  return counts;
}
