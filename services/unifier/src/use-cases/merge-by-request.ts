import type { Identity } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import type { IdentityPolicy } from '../identity/identity-policy';
import { foldOpenConversations } from '../store/pg-conversations';
import { identitiesOf, lockResolved, mergeCustomers } from '../store/pg-identity-graph';
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
  const [a, b] = ids.map((id) => id.toLowerCase()) as [string, string];
  // Before any lookup: the same id twice is a bad request, not a missing second customer.
  if (a === b)
    throw new UnifierError('UNIFIER.SELF_MERGE', 'customerIds name the same customer twice: name two customers', {
      field: 'customerIds',
    });
  const { live: customers, resolved } = await lockResolved(client, [a, b]);
  const missing = [a, b].filter((id) => !resolved.has(id));
  if (missing.length > 0)
    throw new UnifierError('UNIFIER.CUSTOMER_NOT_FOUND', 'both customers must exist', { missing });
  if (customers.length < 2)
    throw new UnifierError('UNIFIER.ALREADY_MERGED', 'the customers are already one (merged before)', {
      customerId: customers[0]!.id,
    });
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
