/** Who else is tied to a blocked value: the customer owning it, and those who presented it (live ids). */
export interface BlockedValueTies {
  owner?: string;
  /** Live customer id → when they last presented the value. */
  presenters: Map<string, Date>;
}

/**
 * The customer a blocked-identity suggestion points the agent to: the owner of the value when that
 * is someone else, else the other customer who presented it most recently (ties: the greater id,
 * as the store orders them).
 */
export function blockedCandidate(customerId: string, ties: BlockedValueTies | undefined): string | undefined {
  if (!ties) return undefined;
  if (ties.owner && ties.owner !== customerId) return ties.owner;
  let best: { id: string; at: number } | undefined;
  for (const [id, at] of ties.presenters) {
    if (id === customerId) continue;
    const t = at.getTime();
    if (!best || t > best.at || (t === best.at && id > best.id)) best = { id, at: t };
  }
  return best?.id;
}

/** Records a presentation in memory as the store does: the latest time per customer is kept. */
export function notePresentation(ties: BlockedValueTies, customerId: string, at: Date): void {
  const known = ties.presenters.get(customerId);
  if (!known || known < at) ties.presenters.set(customerId, at);
}

const DETAIL: Record<string, string> = {
  default: 'a shared inbox, blocked by default',
  config: 'blocked by UNIFIER_BLOCKED_IDENTITIES',
  'business-config': "the business's own identity (BUSINESS_IDENTITIES)",
  learned: "the business's own identity, learned from the connectors' events",
};

/** The suggestion's `detail`: why the value cannot link customers. */
export function blockedDetail(source: string): string {
  return DETAIL[source] ?? 'blocked value';
}
