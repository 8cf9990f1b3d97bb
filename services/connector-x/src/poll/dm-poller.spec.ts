import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createLogger, createMetrics } from '@kanal/observability';
import { X_ERROR_CODES } from '../errors';
import { createXMetrics } from '../x-metrics';
import { XApiError, type DmPageResponse } from '../x/twitter-dm-api';
import { DmPoller } from './dm-poller';
import type { PollCursor } from './pg-cursor-store';

const US = '1580001122334455667';
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const EMPTY: DmPageResponse = { body: { meta: { result_count: 0 } } };

/** A poller on fake timers: `calls` holds the (fake) time of every request to X. */
function poller(answers: Array<() => DmPageResponse>, minIntervalMs = 100) {
  const calls: number[] = [];
  let cursor: PollCursor = { lastEventId: null, backfill: null };
  const metrics = createXMetrics(createMetrics('connector-x-test'));
  const instance = new DmPoller({
    accounts: [
      {
        accountId: US,
        api: {
          fetchPage: async () => {
            calls.push(Date.now());
            return (answers[calls.length - 1] ?? (() => EMPTY))();
          },
        },
      },
    ],
    store: { load: async () => cursor, save: async (_a, next) => void (cursor = next) },
    publish: async () => {},
    logger: createLogger({ service: 'connector-x-test', level: 'silent' }),
    metrics,
    minIntervalMs,
  });
  return { instance, calls, metrics };
}

describe('DmPoller scheduling (fake clock)', () => {
  beforeEach(() => void jest.useFakeTimers({ now: T0 }));
  afterEach(() => void jest.useRealTimers());

  it('after a 429 sends nothing to X before x-rate-limit-reset (+1 s), then polls again', async () => {
    const reset = T0 / 1_000 + 120;
    const { instance, calls } = poller([
      () => {
        throw new XApiError(X_ERROR_CODES.rateLimited, '429', 429, { limit: 15, remaining: 0, reset });
      },
    ]);
    instance.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([T0]);
    await jest.advanceTimersByTimeAsync(120_999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([T0, reset * 1_000 + 1_000]);
    await instance.stop();
  });

  it('spreads the requests left in the window over the rest of it', async () => {
    const { instance, calls } = poller([
      () => ({ ...EMPTY, rateLimit: { limit: 15, remaining: 10, reset: T0 / 1_000 + 600 } }),
    ]);
    instance.start();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual([T0, T0 + 60_000]);
    await instance.stop();
  });

  it('backs off after a failure and polls no faster than the interval without headers', async () => {
    const { instance, calls } = poller(
      [
        () => {
          throw new XApiError(X_ERROR_CODES.apiFailed, 'X answered HTTP 503', 503);
        },
        () => {
          throw new XApiError(X_ERROR_CODES.apiFailed, 'X answered HTTP 503', 503);
        },
      ],
      1_000,
    );
    instance.start();
    await jest.advanceTimersByTimeAsync(1_000 + 2_000 + 1_000);
    expect(calls).toEqual([T0, T0 + 1_000, T0 + 3_000, T0 + 4_000]);
    await instance.stop();
  });
});
