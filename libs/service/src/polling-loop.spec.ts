import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@kanal/testing';
import { PollingLoop } from './polling-loop';

describe('PollingLoop', () => {
  it('goes again at once after a full batch, waits the interval otherwise, and survives a failing tick', async () => {
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
    await waitFor(() => at.length >= 5, { what: 'five ticks' });
    await loop.stop();
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps[0]).toBeLessThan(150); // after a full batch
    expect(gaps[1]).toBeLessThan(150);
    expect(gaps[2]).toBeGreaterThanOrEqual(190); // after an empty one
    expect(gaps[3]).toBeGreaterThanOrEqual(190); // after a failure
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
