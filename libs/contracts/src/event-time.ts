/*
 * Times a client or provider supplies (`occurredAt`) pass zod's ISO check even when nothing
 * downstream can use them: year 0000 or 9999 (the router's SLA due date overflows), offsets like
 * `+23:59` that Postgres refuses. Every edge bounds them here, the same way.
 */

/** The earliest accepted event time: nothing Kanal ingests predates the Unix epoch. */
export const EARLIEST_EVENT_TIME = Date.UTC(1970, 0, 1);
/** How far in the future an event time may lie (clock skew between a provider and us). */
export const EVENT_TIME_FUTURE_MS = 24 * 3_600_000;
/** Real UTC offsets range from −12:00 to +14:00; anything beyond is a client's bug. */
const MAX_OFFSET_MINUTES = 14 * 60;
const OFFSET = /(?:([+-])(\d{2}):?(\d{2})|Z)$/i;

export type EventTimeProblem = 'invalid' | 'offset' | 'too-early' | 'too-late';

export type EventTimeCheck =
  | {
      ok: true;
      /** The same instant in UTC (`toISOString`), the one form every store and sort agrees on. */ value: string;
    }
  | { ok: false; problem: EventTimeProblem; message: string };

/** Whether `iso` is a usable event time at `now`: parseable, a real offset, 1970-01-01 ≤ t ≤ now + 1 day. */
export function checkEventTime(iso: string, now: Date = new Date()): EventTimeCheck {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return { ok: false, problem: 'invalid', message: 'is not an ISO 8601 date-time' };
  const offset = OFFSET.exec(iso);
  if (offset?.[1] && Number(offset[2]) * 60 + Number(offset[3]) > MAX_OFFSET_MINUTES) {
    return { ok: false, problem: 'offset', message: 'has a UTC offset beyond ±14:00' };
  }
  if (ms < EARLIEST_EVENT_TIME) return { ok: false, problem: 'too-early', message: 'lies before 1970-01-01' };
  const latest = now.getTime() + EVENT_TIME_FUTURE_MS;
  if (ms > latest) {
    return {
      ok: false,
      problem: 'too-late',
      message: `lies more than a day in the future (after ${new Date(latest).toISOString()})`,
    };
  }
  return { ok: true, value: new Date(ms).toISOString() };
}

/**
 * A provider's event time, or `fallback` (usually the receive time) with `fallback: true` when the
 * provider's is unusable: the message is kept and the caller sets `flags.dateFallback`.
 */
export function boundedEventTime(
  iso: string | undefined,
  fallback: string,
  now: Date = new Date(),
): { value: string; fallback: boolean } {
  const checked = iso === undefined ? undefined : checkEventTime(iso, now);
  if (checked?.ok) return { value: checked.value, fallback: false };
  return { value: fallback, fallback: true };
}
