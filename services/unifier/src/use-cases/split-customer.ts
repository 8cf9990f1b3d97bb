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
  ) {
    super(message);
  }
}

/**
 * Undoes a merge: the merged customer gets its identities and its own messages back (the ones it
 * had before the merge, by `origin_customer_id`). Without a recorded merge, the named identities
 * and the messages sent from them move to a new customer.
 */
export async function splitCustomer(
  client: PoolClient,
  customerId: string,
  request: { mergeId?: string; identities?: Identity[] },
): Promise<SplitResult> {
  const [customer] = await lockCustomers(client, [customerId]);
  if (!customer) throw new UnifierError('UNIFIER.CUSTOMER_NOT_FOUND', `no customer ${customerId}`);
  const wanted = new Set((request.identities ?? []).map((i) => `${i.type}:${i.value}`));
  const { rows: merges } = await client.query<{ id: string; merged_id: string; moved_identities: Identity[] }>(
    `SELECT id, merged_id, moved_identities FROM merges WHERE survivor_id = $1 AND undone_at IS NULL ORDER BY created_at DESC`,
    [customer.id],
  );
  const merge = request.mergeId
    ? merges.find((m) => m.id === request.mergeId)
    : merges.find((m) => m.moved_identities.some((i) => wanted.has(`${i.type}:${i.value}`)));
  if (request.mergeId && !merge)
    throw new UnifierError('UNIFIER.MERGE_NOT_FOUND', `no open merge ${request.mergeId} into ${customer.id}`);

  let target: string;
  let moving: Identity[];
  let messagesFilter: string;
  if (merge) {
    target = merge.merged_id;
    moving = merge.moved_identities;
    await client.query('UPDATE customers SET merged_into = NULL, updated_at = now() WHERE id = $1', [target]);
    // origin <> customer: the partial messages_origin index holds exactly the rows a merge moved.
    messagesFilter = 'origin_customer_id = $2 AND origin_customer_id <> customer_id AND cardinality($3::text[]) >= 0';
  } else {
    if (wanted.size === 0)
      throw new UnifierError('UNIFIER.NOTHING_TO_SPLIT', 'name a mergeId or the identities to split off');
    moving = (request.identities ?? []).filter((i) => wanted.has(`${i.type}:${i.value}`));
    const created = await createCustomer(client, undefined, new Date());
    target = created.id;
    messagesFilter = 'sender_identities && $3::text[]';
  }
  await lockIdentities(client, moving);
  const { rows: moved } = await client.query<Identity>(
    `UPDATE identities SET customer_id = $2 FROM unnest($3::text[], $4::text[]) AS q(type, value)
      WHERE identities.type = q.type AND identities.value = q.value AND identities.customer_id = $1
      RETURNING identities.type, identities.value`,
    [customer.id, target, moving.map((i) => i.type), moving.map((i) => i.value)],
  );
  if (!merge && moved.length === 0)
    throw new UnifierError('UNIFIER.IDENTITY_NOT_OWNED', 'none of the identities belongs to this customer');

  const newConversation = await conversationFor(client, target, new Date(), Number.POSITIVE_INFINITY);
  const { rows: messages } = await client.query<{ id: string }>(
    `UPDATE messages SET customer_id = $2, conversation_id = $4 WHERE customer_id = $1 AND ${messagesFilter} RETURNING id`,
    [customer.id, target, moved.map((i) => `${i.type}:${i.value}`), newConversation.id],
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
