import { expect, it } from '@jest/globals';
import { backoffDelay } from './backoff';

it('grows exponentially, stays within [ceiling/2, ceiling] and never exceeds the maximum', () => {
  for (let attempt = 0; attempt < 30; attempt++) {
    const ceiling = Math.min(30_000, 500 * 2 ** Math.min(attempt, 16));
    const d = backoffDelay(attempt);
    expect(d).toBeGreaterThanOrEqual(ceiling / 2);
    expect(d).toBeLessThanOrEqual(ceiling);
  }
});
