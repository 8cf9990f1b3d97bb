import { randomUUID } from 'node:crypto';
import type { Identity } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import { conversationFor } from '../store/pg-conversations';
import { createCustomer, lockCustomers, lockIdentities } from '../store/pg-identity-graph';

export interface SplitResult {
  splitId: string;
  customerId: string;
  newCustomerId: string;
  mergeId?: string;
  identities: Identity[];
  movedMessages: number;
  conversationId?: string;
  newConversationId?: string;
}

export class UnifierError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Answered as the error's `details` (which identities, which field). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * `POST /v1/customers/{id}/split` names exactly one of two things (docs: services/unifier/README.md):
 *
 * - `mergeId`: undoes that merge into this customer. The merged customer is live again with the
 *   identities the merge moved, its own messages from before the merge (by origin, also those of
 *   customers that had been merged into it) and the ids that had been merged into it.
 * - `identities`: splits off exactly those identities, no more: they and the messages sent from
 *   them move to a new customer; every other identity stays, and no merge is undone (it stays in
 *   the history; undoing it later moves back only what the customer still has of it). Every
 *   named identity must belong to the customer, else nothing moves (409 IDENTITY_NOT_OWNED).
 */
export async function splitCustomer(
  client: PoolClient,
  customerId: string,
  request: { mergeId?: string; identities?: Identity[] },
): Promise<SplitResult> {
  // Identities before customers, as the message path takes them (advisory locks, then rows). A
  // merge's moved identities never change, so they can be read before anything is locked.
  const merge = request.mergeId ? await mergeRecord(client, request.mergeId) : undefined;
  const named = dedupe(request.identities ?? []);
  if (!request.mergeId && named.length === 0)
    throw new UnifierError('UNIFIER.NOTHING_TO_SPLIT', 'name a mergeId or the identities to split off');
  await lockIdentities(client, merge ? merge.moved_identities : named);
  const [customer] = await lockCustomers(client, [customerId]);
  if (!customer) throw new UnifierError('UNIFIER.CUSTOMER_NOT_FOUND', `no customer ${customerId}`);
  if (request.mergeId && (!merge || merge.survivor_id !== customer.id || merge.undone_at))
    throw new UnifierError('UNIFIER.MERGE_NOT_FOUND', `no open merge ${request.mergeId} into ${customer.id}`);

  let target: string;
  let moving: Identity[];
  let messagesFilter: string;
  let origins: string[] = [];
  if (merge) {
    target = merge.merged_id;
    moving = merge.moved_identities;
    origins = await mergedInto(client, target);
    // The ids merged into the loser before this merge redirect to it again (path compression had
    // pointed them at the survivor).
    await client.query('UPDATE customers SET merged_into = $1 WHERE id = ANY($2::uuid[]) AND merged_into = $3', [
      target,
      origins.slice(1),
      customer.id,
    ]);
    await client.query('UPDATE customers SET merged_into = NULL, updated_at = now() WHERE id = $1', [target]);
    // origin <> customer: the partial messages_origin index holds exactly the rows a merge moved.
    messagesFilter = 'origin_customer_id = ANY($5::uuid[]) AND origin_customer_id <> customer_id';
  } else {
    const owned = new Set((await ownedBy(client, customer.id, named)).map((i) => `${i.type}:${i.value}`));
    const notOwned = named.filter((i) => !owned.has(`${i.type}:${i.value}`));
    if (notOwned.length > 0)
      throw new UnifierError(
        'UNIFIER.IDENTITY_NOT_OWNED',
        `${notOwned.length} of the named identities do not belong to this customer; nothing was split`,
        { identities: notOwned },
      );
    moving = named;
    const created = await createCustomer(client, undefined, new Date());
    target = created.id;
    messagesFilter = 'sender_identities && $3::text[]';
  }
  const { rows: moved } = await client.query<Identity>(
    `UPDATE identities SET customer_id = $2 FROM unnest($3::text[], $4::text[]) AS q(type, value)
      WHERE identities.type = q.type AND identities.value = q.value AND identities.customer_id = $1
      RETURNING identities.type, identities.value`,
    [customer.id, target, moving.map((i) => i.type), moving.map((i) => i.value)],
  );

  const newConversation = await conversationFor(client, target, new Date(), Number.POSITIVE_INFINITY);
  const { rows: messages } = await client.query<{ id: string }>(
    `UPDATE messages SET customer_id = $2, conversation_id = $4
      WHERE customer_id = $1 AND cardinality($3::text[]) >= 0 AND cardinality($5::uuid[]) >= 0 AND ${messagesFilter}
      RETURNING id`,
    [customer.id, target, moved.map((i) => `${i.type}:${i.value}`), newConversation.id, origins],
  );
  await recount(client, newConversation.id);
  const { rows: open } = await client.query<{ id: string }>(
    `SELECT id FROM conversations WHERE customer_id = $1 AND status = 'open'`,
    [customer.id],
  );
  if (open[0]) await recount(client, open[0].id);
  const splitId = randomUUID();
  if (merge)
    await client.query('UPDATE merges SET undone_at = now(), split_id = $2 WHERE id = $1', [merge.id, splitId]);
  return {
    splitId,
    customerId: customer.id,
    newCustomerId: target,
    ...(merge ? { mergeId: merge.id } : {}),
    identities: moved,
    movedMessages: messages.length,
    ...(open[0] ? { conversationId: open[0].id } : {}),
    newConversationId: newConversation.id,
  };
}

interface MergeRecord {
  id: string;
  survivor_id: string;
  merged_id: string;
  moved_identities: Identity[];
  undone_at: Date | null;
}

async function mergeRecord(client: PoolClient, id: string): Promise<MergeRecord | undefined> {
  const { rows } = await client.query<MergeRecord>(
    'SELECT id, survivor_id, merged_id, moved_identities, undone_at FROM merges WHERE id = $1',
    [id],
  );
  return rows[0];
}

/**
 * `id` and every customer merged into it through merges not undone, however deep (the open
 * merges form a tree; UNION stops on anything that is not one).
 */
async function mergedInto(client: PoolClient, id: string): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `WITH RECURSIVE tree(id) AS (
        SELECT $1::uuid
        UNION SELECT m.merged_id FROM merges m JOIN tree t ON m.survivor_id = t.id WHERE m.undone_at IS NULL)
      SELECT id FROM tree`,
    [id],
  );
  return [id, ...rows.map((r) => r.id).filter((other) => other !== id)];
}

async function ownedBy(client: PoolClient, customerId: string, identities: Identity[]): Promise<Identity[]> {
  const { rows } = await client.query<Identity>(
    `SELECT i.type, i.value FROM identities i JOIN unnest($2::text[], $3::text[]) AS q(type, value)
        ON i.type = q.type AND i.value = q.value WHERE i.customer_id = $1`,
    [customerId, identities.map((i) => i.type), identities.map((i) => i.value)],
  );
  return rows;
}

const dedupe = (identities: Identity[]) => [...new Map(identities.map((i) => [`${i.type}:${i.value}`, i])).values()];

async function recount(client: PoolClient, conversationId: string) {
  await client.query(
    `UPDATE conversations c SET message_count = s.n, channels = s.channels,
        last_message_at = COALESCE(s.last, c.last_message_at)
       FROM (SELECT count(*)::int AS n, COALESCE(array_agg(DISTINCT channel), '{}') AS channels, max(occurred_at) AS last
               FROM messages WHERE conversation_id = $1) s
      WHERE c.id = $1`,
    [conversationId],
  );
}
