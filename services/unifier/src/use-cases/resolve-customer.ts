import type { Identity, MessageData } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import type { BlockSource, IdentityPolicy } from '../identity/identity-policy';
import { foldOpenConversations } from '../store/pg-conversations';
import {
  attachIdentities,
  createCustomer,
  identitiesOf,
  lockCustomers,
  lockIdentities,
  mergeCustomers,
  ownersOf,
  type CustomerRow,
  type MergeOutcome,
  type Suggestion,
} from '../store/pg-identity-graph';
import { suggestForBlocked } from './suggest-for-blocked';

export interface Resolution {
  customer: CustomerRow;
  /** Every identity of the customer after this message. */
  identities: Identity[];
  merges: Array<{ merge: MergeOutcome; fold: { kept?: string; folded: string[] } }>;
  suggestions: Suggestion[];
}

const key = (i: Identity) => `${i.type}:${i.value}`;

/**
 * Finds (or creates) the customer of a message from the identities that arrived on it, merging
 * customers those identities link (docs/architecture.md §3) unless a per-type limit forbids it.
 * Blocked identities never link; each one presented becomes a suggestion.
 */
export async function resolveCustomer(
  client: PoolClient,
  data: MessageData,
  party: MessageData['sender'] | undefined,
  policy: IdentityPolicy,
  blockedBy: (identity: Identity) => BlockSource | undefined,
  sourceEventId: string,
  /** Further advisory-lock keys taken in the same ordered statement (the message's own key). */
  lockKeys: string[] = [],
): Promise<Resolution> {
  const identities = [...new Map((party?.identities ?? []).map((i) => [key(i), i])).values()];
  const linkable = identities.filter((i) => !blockedBy(i));
  const blocked = identities.flatMap((identity) => {
    const source = blockedBy(identity);
    return source ? [{ identity, source }] : [];
  });
  const now = new Date();
  const at = new Date(data.occurredAt);
  if (linkable.length === 0) {
    await lockIdentities(client, [], lockKeys);
    const customer = await threadCustomer(client, data, party?.displayName, now);
    const suggestions = await suggestForBlocked(client, customer.id, blocked, at);
    return { customer, identities: await identitiesOf(client, customer.id), merges: [], suggestions };
  }

  await lockIdentities(client, linkable, lockKeys);
  const owners = await ownersOf(client, linkable);
  const suggestions: Suggestion[] = [];
  const merges: Resolution['merges'] = [];
  let customer: CustomerRow;
  if (owners.size === 0) {
    customer = await createCustomer(client, party?.displayName, now);
  } else {
    const [oldest, ...others] = await lockCustomers(client, [...owners.values()]);
    customer = oldest!;
    for (const other of others) {
      const combined = [...(await identitiesOf(client, customer.id)), ...(await identitiesOf(client, other.id))];
      const shared = linkable.find((i) => owners.get(key(i)) === other.id)!;
      const over = policy.exceeded(combined);
      if (over) {
        suggestions.push({
          customerId: customer.id,
          candidateCustomerId: other.id,
          identity: shared,
          reason: 'limit-exceeded',
          detail: `merging would pass the ${over} limit`,
        });
        continue;
      }
      const viaExternal = linkable.some((i) => i.type === 'external' && owners.get(key(i)) === other.id);
      const merge = await mergeCustomers(client, customer, other, {
        kind: viaExternal ? 'external-id' : 'arrived-together',
        identities: linkable,
        sourceEventId,
      });
      merges.push({ merge, fold: await foldOpenConversations(client, customer.id, other.id) });
    }
  }
  const unowned = linkable.filter((i) => !owners.has(key(i)));
  const attached = await attachIdentities(client, customer.id, unowned, policy);
  suggestions.push(...attached.suggestions, ...(await suggestForBlocked(client, customer.id, blocked, at)));
  if (!customer.display_name && party?.displayName) {
    await client.query('UPDATE customers SET display_name = $2 WHERE id = $1 AND display_name IS NULL', [
      customer.id,
      party.displayName,
    ]);
    customer = { ...customer, display_name: party.displayName };
  }
  return { customer, identities: attached.identities, merges, suggestions };
}

/**
 * Messages with no linkable identity (only a shared inbox, say) belong to a customer of their own
 * thread: two people writing from info@ stay two customers.
 */
async function threadCustomer(client: PoolClient, data: MessageData, displayName: string | undefined, now: Date) {
  const threadKey = `thread:${data.channel}:${data.accountId}:${data.conversationRef}`;
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [threadKey]);
  const { rows } = await client.query<{ customer_id: string }>(
    'SELECT customer_id FROM thread_customers WHERE channel = $1 AND account_id = $2 AND conversation_ref = $3',
    [data.channel, data.accountId, data.conversationRef],
  );
  if (rows[0]) return (await lockCustomers(client, [rows[0].customer_id]))[0]!;
  const customer = await createCustomer(client, displayName, now);
  await client.query(
    'INSERT INTO thread_customers (channel, account_id, conversation_ref, customer_id) VALUES ($1, $2, $3, $4)',
    [data.channel, data.accountId, data.conversationRef, customer.id],
  );
  return customer;
}
