import { randomUUID } from 'node:crypto';
import { buildEvent, customerEventId, type CustomerUpdatedData } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import { identitiesOf, lockCustomers } from '../store/pg-identity-graph';
import type { OutboxEntry } from '../store/pg-outbox';
import { customerSummary } from './customer-events';
import { UnifierError } from './split-customer';

export interface CustomerPatch {
  /** A name, or null to clear it. */
  displayName?: string | null;
  /** Attributes to set (a value) or remove (null); other attributes stay. */
  attributes?: Record<string, string | null>;
  actor?: string;
}

/** Most attributes a customer carries: they travel on every unified event. */
export const MAX_ATTRIBUTES = 100;

/**
 * `PATCH /v1/customers/{id}`: a merged id changes its survivor. Only what actually changes is
 * written and announced (`kanal.customer.updated.v1`); a patch that changes nothing has no event.
 */
export async function updateCustomer(
  client: PoolClient,
  requestedId: string,
  patch: CustomerPatch,
): Promise<{ answer: Record<string, unknown>; event?: OutboxEntry }> {
  const [customer] = await lockCustomers(client, [requestedId]);
  if (!customer) throw new UnifierError('UNIFIER.CUSTOMER_NOT_FOUND', `no customer ${requestedId}`);
  const changes: CustomerUpdatedData['changes'] = {};
  if (patch.displayName !== undefined && patch.displayName !== customer.display_name)
    changes.displayName = patch.displayName;
  const attributes = { ...customer.attributes };
  const changed: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(patch.attributes ?? {})) {
    if (value === null ? !Object.hasOwn(attributes, key) : attributes[key] === value) continue;
    changed[key] = value;
    if (value === null) delete attributes[key];
    else attributes[key] = value;
  }
  if (Object.keys(attributes).length > MAX_ATTRIBUTES)
    throw new UnifierError('UNIFIER.INVALID_REQUEST', `attributes: a customer carries at most ${MAX_ATTRIBUTES}`);
  if (Object.keys(changed).length > 0) changes.attributes = changed;
  const redirect = customer.id !== requestedId ? { redirectedFrom: requestedId } : {};
  if (Object.keys(changes).length === 0) {
    const summary = customerSummary(customer, await identitiesOf(client, customer.id));
    return { answer: { customerId: customer.id, ...redirect, customer: summary, changes } };
  }
  const displayName = changes.displayName !== undefined ? changes.displayName : customer.display_name;
  await client.query('UPDATE customers SET display_name = $2, attributes = $3, updated_at = now() WHERE id = $1', [
    customer.id,
    displayName,
    attributes,
  ]);
  const summary = customerSummary(
    { ...customer, display_name: displayName, attributes },
    await identitiesOf(client, customer.id),
  );
  const updateId = randomUUID();
  const event = buildEvent({
    type: 'kanal.customer.updated.v1',
    id: customerEventId('updated', updateId),
    source: 'kanal/unifier',
    subject: customer.id,
    data: {
      updateId,
      customerId: customer.id,
      customer: summary,
      changes,
      ...(patch.actor ? { actor: patch.actor } : {}),
      updatedAt: new Date().toISOString(),
    },
  });
  return { answer: { ...event.data, ...redirect }, event: { key: customer.id, event } };
}
