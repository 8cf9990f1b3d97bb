import type { Identity } from '@kanal/contracts';
import type { PoolClient } from '@kanal/postgres';
import type { IdentityPolicy } from '../identity/identity-policy';
import { liveIds } from '../store/pg-customer-summaries';
import { lockCustomers } from '../store/pg-identity-graph';
import type { OutboxEntry } from '../store/pg-outbox';
import {
  openSuggestionsOfPair,
  recordDecision,
  recordRejection,
  suggestionById,
  type SuggestionRow,
} from '../store/pg-suggestion-review';
import { mergeByRequest } from './merge-by-request';
import { UnifierError } from './split-customer';

export interface ReviewRequest {
  actor?: string;
  reason?: string;
}

export interface ReviewOutcome {
  /** The answer, stored with the decision: repeating the same request answers it again. */
  answer: Record<string, unknown>;
  /** The merge event of an accept, to queue with the decision (absent on a repeat). */
  event?: OutboxEntry;
}

/**
 * Accepts a suggestion: its customer and candidate are merged exactly as `POST /v1/customers/merge`
 * does, with the suggestion recorded in the merge's evidence.
 */
export async function acceptSuggestion(
  client: PoolClient,
  id: string,
  request: ReviewRequest,
  policy: IdentityPolicy,
): Promise<ReviewOutcome> {
  const seen = await suggestionById(client, id);
  if (!seen) throw notFound(id);
  if (seen.status === 'accepted') return { answer: seen.outcome as Record<string, unknown> };
  if (seen.status !== 'open') throw notOpen(seen);
  if (!seen.candidate_customer_id)
    throw new UnifierError(
      'UNIFIER.SUGGESTION_WITHOUT_CANDIDATE',
      'the suggestion names no other customer to merge with',
    );
  // Customers before the suggestion row: the message path locks customers before it writes suggestions.
  const live = await lockCustomers(client, [seen.customer_id, seen.candidate_customer_id]);
  const s = (await suggestionById(client, id, { lock: true }))!;
  if (s.status === 'accepted') return { answer: s.outcome as Record<string, unknown> };
  if (s.status !== 'open') throw notOpen(s);
  if (live.length < 2) throw moot();
  const reason = request.reason ?? `accepted link suggestion (${s.reason})`;
  const merged = await mergeByRequest(
    client,
    [s.customer_id, s.candidate_customer_id!],
    {
      reason,
      ...(request.actor ? { actor: request.actor } : {}),
      suggestionId: s.id,
      identities: [identityOf(s)],
    },
    policy,
  );
  const merge = merged.event.data as { mergeId: string };
  const answer = {
    suggestionId: s.id,
    status: 'accepted',
    customerId: s.customer_id,
    candidateCustomerId: s.candidate_customer_id,
    merge: merged.event.data,
  };
  await recordDecision(client, [s.id], {
    status: 'accepted',
    ...request,
    reason,
    mergeId: merge.mergeId,
    outcome: answer,
  });
  return { answer, event: merged };
}

/**
 * Rejects a suggestion. With a candidate, the pair is remembered for the suggestion's kind of
 * evidence: no later message suggests them again for that reason (also after either is merged
 * into another customer), and their other open suggestions of that reason close with this one.
 */
export async function rejectSuggestion(client: PoolClient, id: string, request: ReviewRequest): Promise<ReviewOutcome> {
  const s = await suggestionById(client, id, { lock: true });
  if (!s) throw notFound(id);
  if (s.status === 'rejected') return { answer: s.outcome as Record<string, unknown> };
  if (s.status !== 'open') throw notOpen(s);
  const answer: Record<string, unknown> = {
    suggestionId: s.id,
    status: 'rejected',
    customerId: s.customer_id,
    ...(s.candidate_customer_id ? { candidateCustomerId: s.candidate_customer_id } : {}),
    reason: s.reason,
    ...(request.actor ? { actor: request.actor } : {}),
    ...(request.reason ? { decisionReason: request.reason } : {}),
    rejectedAt: new Date().toISOString(),
    alsoRejected: [] as string[],
  };
  if (s.candidate_customer_id) {
    const live = await liveIds(client, [s.customer_id, s.candidate_customer_id]);
    const pair: [string, string] = [live.get(s.customer_id)!, live.get(s.candidate_customer_id)!];
    if (pair[0] === pair[1]) throw moot();
    await recordRejection(client, pair, s.reason, s.id);
    const others = (await openSuggestionsOfPair(client, pair, s.reason)).filter((other) => other !== s.id);
    answer.alsoRejected = others;
    for (const other of others) {
      await recordDecision(client, [other], {
        status: 'rejected',
        ...request,
        outcome: { ...answer, suggestionId: other, rejectedWith: s.id, alsoRejected: [] },
      });
    }
  }
  await recordDecision(client, [s.id], { status: 'rejected', ...request, outcome: answer });
  return { answer };
}

const identityOf = (s: SuggestionRow) => ({ type: s.identity_type, value: s.identity_value }) as Identity;

const notFound = (id: string) => new UnifierError('UNIFIER.SUGGESTION_NOT_FOUND', `no link suggestion ${id}`);

const notOpen = (s: SuggestionRow) =>
  new UnifierError(
    'UNIFIER.SUGGESTION_NOT_OPEN',
    `the suggestion was ${s.status === 'suppressed' ? 'never open' : s.status} already`,
  );

const moot = () =>
  new UnifierError('UNIFIER.SUGGESTION_MOOT', 'the customer and the candidate are one customer now (merged meanwhile)');
