import { describe, expect, it } from '@jest/globals';
import { failureDelay, nextPollDelay, rateLimitedDelay, WINDOW_MS } from './poll-schedule';

const nowMs = 1_763_716_500_000;
const reset = (inMs: number) => (nowMs + inMs) / 1_000;

describe('poll schedule', () => {
  it('spreads the remaining requests over the rest of the window (15 / 15 min ⇒ one a minute)', () => {
    expect(
      nextPollDelay({ limit: 15, remaining: 15, reset: reset(15 * 60_000) }, { nowMs, minIntervalMs: 1_000 }),
    ).toBe(60_000);
    expect(nextPollDelay({ limit: 15, remaining: 2, reset: reset(60_000) }, { nowMs, minIntervalMs: 1_000 })).toBe(
      30_000,
    );
  });

  it('waits for the reset when the window is used up', () => {
    expect(nextPollDelay({ limit: 15, remaining: 0, reset: reset(90_000) }, { nowMs, minIntervalMs: 1_000 })).toBe(
      91_000,
    );
  });

  it('never polls faster than the configured interval, with or without headers', () => {
    expect(nextPollDelay({ limit: 1000, remaining: 999, reset: reset(10_000) }, { nowMs, minIntervalMs: 60_000 })).toBe(
      60_000,
    );
    expect(nextPollDelay(undefined, { nowMs, minIntervalMs: 60_000 })).toBe(60_000);
    expect(nextPollDelay({ limit: 15, remaining: 0, reset: reset(-5_000) }, { nowMs, minIntervalMs: 60_000 })).toBe(
      60_000,
    );
  });

  it('after a 429 waits until the reset header, or backs off doubling up to one window without it', () => {
    expect(
      rateLimitedDelay({ limit: 15, remaining: 0, reset: reset(120_000) }, { nowMs, minIntervalMs: 100, attempt: 1 }),
    ).toBe(121_000);
    expect(rateLimitedDelay(undefined, { nowMs, minIntervalMs: 100, attempt: 1 })).toBe(60_000);
    expect(rateLimitedDelay(undefined, { nowMs, minIntervalMs: 100, attempt: 3 })).toBe(240_000);
    expect(rateLimitedDelay(undefined, { nowMs, minIntervalMs: 100, attempt: 10 })).toBe(WINDOW_MS);
  });

  it('backs off other failures exponentially with a cap', () => {
    expect(failureDelay({ minIntervalMs: 1_000, attempt: 1 })).toBe(1_000);
    expect(failureDelay({ minIntervalMs: 1_000, attempt: 4 })).toBe(8_000);
    expect(failureDelay({ minIntervalMs: 60_000, attempt: 20 })).toBe(WINDOW_MS);
  });
});
