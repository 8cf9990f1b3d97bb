import type { Identity } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import type { IdentityPolicy } from '../identity/identity-policy';
import { foldOpenConversations } from '../store/pg-conversations';
import { identitiesOf, lockCustomers, mergeCustomers } from '../store/pg-identity-graph';
import type { OutboxEntry } from '../store/pg-outbox';
import { customerSummary, mergedEvent } from './customer-events';
import { UnifierError } from './split-customer';

/**
 * An explicit merge by an agent or integrator (`POST /v1/customers/merge`, or an accepted link
 * suggestion, named in the evidence with the identity it was about); the older customer survives.
 */
export async function mergeByRequest(
  client: PoolClient,
  ids: [string, string],
  request: { reason?: string; actor?: string; suggestionId?: string; identities?: Identity[] },
  policy: IdentityPolicy,
): Promise<OutboxEntry> {
  const customers = await lockCustomers(client, ids);
  if (customers.length < 2) {
    const found = await client.query('SELECT id FROM customers WHERE id = ANY($1)', [ids]);
    if (found.rowCount !== 2) throw new UnifierError('UNIFIER.CUSTOMER_NOT_FOUND', 'both customers must exist');
    throw new UnifierError('UNIFIER.ALREADY_MERGED', 'the customers are already one');
  }
  const [survivor, merged] = customers as [(typeof customers)[0], (typeof customers)[0]];
  const combined = [...(await identitiesOf(client, survivor.id)), ...(await identitiesOf(client, merged.id))];
  const over = policy.exceeded(combined);
  if (over) throw new UnifierError('UNIFIER.LIMIT_EXCEEDED', `merging would pass the ${over} limit`);
  const merge = await mergeCustomers(client, survivor, merged, {
    kind: 'explicit',
    ...request,
    identities: request.identities ?? [],
  });
  const fold = await foldOpenConversations(client, survivor.id, merged.id);
  return mergedEvent(merge, customerSummary(survivor, await identitiesOf(client, survivor.id)), fold);
}
