const NUMERIC = /^\d{1,30}$/;
const ONE_TO_ONE = /^(\d{1,30})-(\d{1,30})$/;

/**
 * An X user id as the `x` identity: the numeric string X sends. A JSON number is accepted while it
 * is exact (ids beyond 2^53 have already lost digits); anything else is undefined, and the caller
 * keeps the message without that identity.
 */
export function xUserId(raw: unknown): string | undefined {
  if (typeof raw === 'string') {
    const value = raw.trim();
    return NUMERIC.test(value) ? value : undefined;
  }
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return String(raw);
  return undefined;
}

/** The id as X gave it, for comparisons and conversation ids even when it is not numeric. */
export function rawId(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim() : String(raw);
}

/** Snowflake ids compare numerically; string compare breaks when lengths differ. */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * X names a one-to-one conversation `{smaller_id}-{larger_id}` (numeric order, not string order).
 * Ids that are not numeric still get a stable id, in string order.
 */
export function oneToOneConversationId(a: string, b: string): string {
  const first = NUMERIC.test(a) && NUMERIC.test(b) ? compareIds(a, b) <= 0 : a <= b;
  return first ? `${a}-${b}` : `${b}-${a}`;
}

export function isOneToOne(conversationId: string): boolean {
  return ONE_TO_ONE.test(conversationId);
}

/** The participants named by a one-to-one conversation id (none for a group). */
export function conversationParticipants(conversationId: string): string[] {
  const m = ONE_TO_ONE.exec(conversationId);
  return m ? [m[1]!, m[2]!] : [];
}

/** The other participant of a one-to-one conversation, or undefined for a group. */
export function otherParticipant(conversationId: string, participant: string): string | undefined {
  const [a, b] = conversationParticipants(conversationId);
  if (a === participant) return b;
  if (b === participant) return a;
  return undefined;
}
