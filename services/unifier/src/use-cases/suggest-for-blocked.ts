import type { Identity } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import { blockedCandidate, blockedDetail } from '../identity/blocked-candidate';
import type { BlockSource } from '../identity/identity-policy';
import { blockedValueTies, recordPresentations } from '../store/pg-blocked-presentations';
import type { Suggestion } from '../store/pg-identity-graph';

/**
 * Every blocked identity a customer presents is evidence for an agent, never a link: a
 * blocked-identity suggestion pointing at whoever owns the value, else at the other customer who
 * presented it last. The presentation is recorded for the suggestions of those who come later.
 */
export async function suggestForBlocked(
  client: PoolClient,
  customerId: string,
  blocked: Array<{ identity: Identity; source: BlockSource }>,
  at: Date,
): Promise<Suggestion[]> {
  if (blocked.length === 0) return [];
  const ties = await blockedValueTies(
    client,
    blocked.map((b) => b.identity),
  );
  const suggestions = blocked.map(({ identity, source }): Suggestion => {
    const candidate = blockedCandidate(customerId, ties.get(`${identity.type}:${identity.value}`));
    return {
      customerId,
      ...(candidate ? { candidateCustomerId: candidate } : {}),
      identity,
      reason: 'blocked-identity',
      detail: blockedDetail(source),
    };
  });
  await recordPresentations(
    client,
    blocked.map((b) => ({ ...b.identity, customerId, at })),
  );
  return suggestions;
}
