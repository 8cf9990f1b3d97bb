/** The last instant an ISO-8601 timestamp without an expanded year can name (9999-12-31T23:59:59.999Z). */
const MAX_ISO_MS = 253_402_300_799_999;

export interface ProviderTime {
  at: string;
  /** The provider's value was missing or out of range; `at` is the connector's receive time. */
  fallback: boolean;
}

/**
 * Meta sends seconds (Cloud API, as a string) or milliseconds (IG/Messenger). A value that is
 * missing, not a number or outside what the contract's ISO timestamps hold keeps the message:
 * the receive time stands in, flagged.
 */
export function providerTime(value: unknown, unit: 'seconds' | 'millis', receivedAt: string): ProviderTime {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const ms = unit === 'seconds' ? n * 1000 : n;
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_ISO_MS) return { at: receivedAt, fallback: true };
  return { at: new Date(Math.floor(ms)).toISOString(), fallback: false };
}
