import type { RateLimit } from '../x/twitter-dm-api';

/** X's DM lookup window is 15 minutes; without headers we never wait longer than one window. */
export const WINDOW_MS = 15 * 60_000;
/** Slack after `x-rate-limit-reset`: clocks differ and X resets on its own second boundary. */
export const RESET_MARGIN_MS = 1_000;

/**
 * Delay before the next poll of an account: never sooner than the configured interval, and the
 * requests left in the window (`x-rate-limit-remaining`) spread evenly until it resets, so a
 * steady poller never runs into a 429 (15 requests / 15 min ⇒ about one a minute).
 */
export function nextPollDelay(
  rateLimit: RateLimit | undefined,
  { nowMs, minIntervalMs }: { nowMs: number; minIntervalMs: number },
): number {
  if (!rateLimit) return minIntervalMs;
  const untilReset = rateLimit.reset * 1_000 - nowMs;
  if (untilReset <= 0) return minIntervalMs;
  if (rateLimit.remaining <= 0) return Math.max(minIntervalMs, untilReset + RESET_MARGIN_MS);
  return Math.max(minIntervalMs, Math.ceil(untilReset / rateLimit.remaining));
}

/**
 * Delay after a 429: until the reset time X gave, or, without one, a doubling wait (at least a
 * minute, at most one window) so a poller that lost track of its budget backs off instead of hammering.
 */
export function rateLimitedDelay(
  rateLimit: RateLimit | undefined,
  { nowMs, minIntervalMs, attempt }: { nowMs: number; minIntervalMs: number; attempt: number },
): number {
  if (rateLimit && rateLimit.reset * 1_000 > nowMs)
    return Math.max(minIntervalMs, rateLimit.reset * 1_000 - nowMs + RESET_MARGIN_MS);
  return Math.min(WINDOW_MS, Math.max(60_000, minIntervalMs) * 2 ** Math.max(0, attempt - 1));
}

/** Delay after any other failure (network, 5xx, Kafka, Postgres): doubling, capped at one window. */
export function failureDelay({ minIntervalMs, attempt }: { minIntervalMs: number; attempt: number }): number {
  return Math.min(WINDOW_MS, minIntervalMs * 2 ** Math.max(0, attempt - 1));
}
