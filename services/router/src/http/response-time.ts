import { checkEventTime } from '@kanal/contracts';
import { HttpError } from '@kanal/http';
import type { Conversation } from '../store/conversation-repo';

/**
 * How far an agent's `at` may lie outside what is possible (clock skew between the desk and us).
 * Wider would let a typo such as a wrong year record a first response of months, or of minus
 * months, in `kanal_router_first_response_seconds`.
 */
export const RESPONSE_TIME_SKEW_MS = 5 * 60_000;

export const TIME_OUT_OF_RANGE = 'ROUTER.TIME_OUT_OF_RANGE';

const outOfRange = (field: string, message: string, range: { earliest?: Date; latest?: Date }) =>
  new HttpError(400, TIME_OUT_OF_RANGE, `${field} ${message}`, {
    field,
    ...(range.earliest ? { earliest: range.earliest.toISOString() } : {}),
    ...(range.latest ? { latest: range.latest.toISOString() } : {}),
  });

/**
 * The client's `at` (absent: now), refused unless it lies between 1970 and now + the skew, with a
 * real UTC offset (the contracts' event-time check, with the router's tighter future bound).
 */
export function responseTime(field: string, iso: string | undefined, now: Date): Date {
  if (iso === undefined) return now;
  const latest = new Date(now.getTime() + RESPONSE_TIME_SKEW_MS);
  const checked = checkEventTime(iso, now);
  // Past the contracts' one day ahead is past the router's few minutes too: one message for both.
  if (!checked.ok && checked.problem !== 'too-late') throw outOfRange(field, checked.message, {});
  const at = new Date(Date.parse(iso));
  if (at > latest) throw outOfRange(field, `lies in the future (after ${latest.toISOString()})`, { latest });
  return at;
}

/**
 * A response cannot precede the conversation: `at` must not lie before its creation or its first
 * customer message (whichever is earlier) minus the skew. Between that and the start of the
 * current SLA clock (a reopened conversation) the use case counts it as an instant response.
 */
export function assertNotBeforeConversation(field: string, at: Date, conv: Conversation): void {
  const start = Math.min(conv.openedAt.getTime(), conv.slaStartedAt.getTime());
  const earliest = new Date(start - RESPONSE_TIME_SKEW_MS);
  if (at < earliest) {
    throw outOfRange(field, `lies before the conversation began (before ${earliest.toISOString()})`, { earliest });
  }
}
