import { checkEventTime } from '@kanal/contracts';

/** How far a provider's clock may run ahead of ours before its time is no longer believed. */
export const PROVIDER_CLOCK_SKEW_MS = 5 * 60_000;

export interface MessageTime {
  /** The time routing uses: SLA clock start, contact counting, business hours, event times. */
  at: Date;
  /** `occurredAt` could not be used and `at` is the receive time (or now). */
  bounded: boolean;
}

/**
 * The time a message counts from. The edges bound `occurredAt`, but the router does not rely on
 * that: a provider time it cannot use (before 1970, beyond a day ahead, an impossible offset —
 * year 9999 would put the SLA due date in year 10000, which no event can carry) or one later than
 * Kanal received the message falls back to `receivedAt`, and to `now` if that is unusable too.
 * A message is never refused for its time: it is routed, from a time that is possible.
 */
export function messageTime(message: { occurredAt: string; receivedAt: string }, now: Date): MessageTime {
  const received = checkEventTime(message.receivedAt, now);
  const receivedAt = received.ok ? new Date(received.value) : now;
  const occurred = checkEventTime(message.occurredAt, now);
  if (!occurred.ok) return { at: receivedAt, bounded: true };
  const occurredAt = new Date(occurred.value);
  if (occurredAt.getTime() > receivedAt.getTime() + PROVIDER_CLOCK_SKEW_MS) return { at: receivedAt, bounded: true };
  return { at: occurredAt, bounded: false };
}

/** A time the unifier sent (a conversation's `openedAt`), or `fallback` when it is not a possible one. */
export function possibleTime(iso: string, fallback: Date, now: Date): Date {
  const checked = checkEventTime(iso, now);
  return checked.ok ? new Date(checked.value) : fallback;
}
