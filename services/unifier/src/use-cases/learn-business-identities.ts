import type { Identity, InboundData, KanalEvent } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import { Blocklist, businessSide } from '../identity/blocklist';
import type { IdentityPolicy } from '../identity/identity-policy';
import { learnedAmong, learnIdentities } from '../store/pg-learned-identities';

type InboundEvent = KanalEvent & { data: InboundData };

const keyOf = (i: Identity) => `${i.type}:${i.value}`;

/**
 * The batch's blocked values, in its transaction: one indexed lookup of every identity the batch
 * names (so a value another instance learned blocks here from its next batch on, with no cache to
 * go stale), and the business identities the batch shows stored (new ones) or refreshed (stale
 * last_seen_at) with it.
 */
export async function batchBlocklist(
  client: PoolClient,
  events: InboundEvent[],
  policy: IdentityPolicy,
): Promise<Blocklist> {
  const sightings = events.flatMap(businessSide);
  const parties = events.flatMap((e) => {
    if (e.type !== 'kanal.message.received.v1' && e.type !== 'kanal.message.sent.v1') return [];
    const d = e.data as InboundData & { sender?: { identities: Identity[] }; recipient?: { identities: Identity[] } };
    return (d.direction === 'outbound' ? d.recipient : d.sender)?.identities ?? [];
  });
  const named = [
    ...new Map(
      [...sightings, ...parties].map((i) => [keyOf(i), { type: i.type, value: i.value } as Identity]),
    ).values(),
  ];
  const known = await learnedAmong(client, named);
  await learnIdentities(
    client,
    sightings.filter((s) => known.get(keyOf(s))?.stale ?? true),
  );
  return new Blocklist(policy, known.keys(), events);
}
