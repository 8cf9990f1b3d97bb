import { describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '@kanal/testing';
import { PermanentJobError, RetryQueue } from './retry-queue';

describe('RetryQueue', () => {
  it('retries a failing job with exponential backoff until it succeeds', async () => {
    // A fake clock and no jitter: the schedule is exact, however loaded the machine is.
    jest.useFakeTimers({ now: 0 });
    jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
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
      await jest.advanceTimersByTimeAsync(9);
      expect(attempts).toEqual([0]);
      await jest.advanceTimersByTimeAsync(1);
      expect(attempts).toEqual([0, 10]);
      // The second retry waits twice the base delay.
      await jest.advanceTimersByTimeAsync(19);
      expect(attempts).toEqual([0, 10]);
      await jest.advanceTimersByTimeAsync(1);
      expect(attempts).toEqual([0, 10, 30]);
      expect(retried).toEqual([1, 2]);
      expect(queue.size).toBe(0);
      await queue.stop();
    } finally {
      jest.useRealTimers();
      jest.restoreAllMocks();
    }
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
    expect(gaveUp).toEqual([
      ['gone', 1],
      ['flaky', 2],
    ]);
    await queue.stop();
  });

  it('refuses jobs beyond its capacity', async () => {
    const queue = new RetryQueue<number>({
      concurrency: 1,
      maxAttempts: 1,
      baseDelayMs: 1,
      capacity: 2,
      handler: () => new Promise(() => undefined),
    });
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
  });
});
