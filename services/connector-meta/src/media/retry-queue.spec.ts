import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@kanal/testing';
import { PermanentJobError, RetryQueue } from './retry-queue';

describe('RetryQueue', () => {
  it('retries a failing job with backoff until it succeeds', async () => {
    const attempts: number[] = [];
    const retried: number[] = [];
    const queue = new RetryQueue<string>({
      concurrency: 2,
      maxAttempts: 5,
      baseDelayMs: 10,
      capacity: 10,
      handler: async (_job, attempt) => {
        attempts.push(Date.now());
        if (attempt < 3) throw new Error('CDN down');
      },
      onRetry: (_job, attempt) => retried.push(attempt),
    });
    expect(queue.push('a')).toBe(true);
    await waitFor(() => attempts.length === 3 && queue.size === 0, { what: 'third attempt' });
    expect(retried).toEqual([1, 2]);
    // The second retry waits at least twice the base delay.
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(20);
    await queue.stop();
  });

  it('gives up after maxAttempts, or at once on a permanent error', async () => {
    const gaveUp: Array<[string, number]> = [];
    const queue = new RetryQueue<string>({
      concurrency: 1,
      maxAttempts: 2,
      baseDelayMs: 1,
      capacity: 10,
      handler: async (job) => {
        throw job === 'gone' ? new PermanentJobError('MEDIA.GONE', '404') : new Error('flaky');
      },
      onGiveUp: (job, attempt) => gaveUp.push([job, attempt]),
    });
    queue.push('gone');
    queue.push('flaky');
    await waitFor(() => gaveUp.length === 2, { what: 'both jobs given up' });
    expect(gaveUp).toEqual([['gone', 1], ['flaky', 2]]);
    await queue.stop();
  });

  it('refuses jobs beyond its capacity', async () => {
    const queue = new RetryQueue<number>({ concurrency: 1, maxAttempts: 1, baseDelayMs: 1, capacity: 2, handler: () => new Promise(() => undefined) });
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
  });
});
