/** The largest instant a JS Date holds (±8.64e15 ms); a larger provider value must not throw. */
const MAX_DATE_MS = 8.64e15;

export interface XTime {
  iso: string;
  /** The provider time was missing or unreadable: `iso` is when we received the event. */
  fallback: boolean;
}

/**
 * v2 `created_at` (ISO 8601; epoch milliseconds are read too). Missing or unreadable → receivedAt,
 * flagged: the message is kept.
 */
export function fromCreatedAt(value: string | number | undefined, receivedAt: string): XTime {
  if (typeof value === 'number') return fromEpochMillis(value, receivedAt);
  // Date.parse reads a bare "2026" or "12" as a year; only a millisecond count is taken as a time.
  if (value !== undefined && /^\d+$/.test(value.trim()))
    return /^\d{12,16}$/.test(value.trim())
      ? fromEpochMillis(value.trim(), receivedAt)
      : { iso: receivedAt, fallback: true };
  const ms = value ? Date.parse(value) : NaN;
  return inRange(ms) ? { iso: new Date(ms).toISOString(), fallback: false } : { iso: receivedAt, fallback: true };
}

/** v1.1 `created_timestamp` (epoch milliseconds, as a string). */
export function fromEpochMillis(value: string | number | undefined, receivedAt: string): XTime {
  const ms = typeof value === 'number' ? value : value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  return inRange(ms) && ms > 0
    ? { iso: new Date(ms).toISOString(), fallback: false }
    : { iso: receivedAt, fallback: true };
}

function inRange(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;
}
