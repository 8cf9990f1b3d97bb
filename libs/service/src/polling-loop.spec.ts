import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '@kanal/testing';
import { PollingLoop } from './polling-loop';

describe('PollingLoop', () => {
  afterEach(() => void jest.useRealTimers());

  it('goes again at once after a full batch, waits the interval otherwise, and survives a failing tick', async () => {
    // Fake timers: the schedule is asserted on the loop's own clock, never on a loaded machine's.
    jest.useFakeTimers({ now: 0 });
    const results = [5, 5, 0, -1, 0];
    const at: number[] = [];
    const errors: unknown[] = [];
    const loop = new PollingLoop({
      intervalMs: 200,
      batchSize: 5,
      tick: async () => {
        at.push(Date.now());
        const n = results.shift() ?? 0;
        if (n < 0) throw new Error('tick failed');
        return n;
      },
      onError: (e) => errors.push(e),
    });
    loop.start();
    await jest.advanceTimersByTimeAsync(450);
    await loop.stop();
    // Full, full: at once (a zero timeout fires after 1 ms, as in Node); empty, then failed: 200 ms later.
    expect(at).toEqual([0, 1, 2, 202, 402]);
    expect(errors).toHaveLength(1);
  });

  it('lets the tick in flight finish before stop resolves', async () => {
    let finished = 0;
    let started = 0;
    const loop = new PollingLoop({
      intervalMs: 10,
      batchSize: 100,
      tick: async () => {
        started++;
        await new Promise((r) => setTimeout(r, 100));
        finished++;
        return 0;
      },
      onError: () => {},
    });
    loop.start();
    await waitFor(() => started === 1, { what: 'first tick' });
    await loop.stop();
    expect(finished).toBe(1);
    expect(started).toBe(1);
  });
});
