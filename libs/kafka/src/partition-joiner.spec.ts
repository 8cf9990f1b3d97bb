import { describe, expect, it } from '@jest/globals';
import { PartitionJoiner } from './partition-joiner';

describe('PartitionJoiner', () => {
  it('joins what is submitted in one tick, in groups of at most maxRecords whole items', async () => {
    const calls: string[][] = [];
    const joiner = new PartitionJoiner<string, string>(10, async (items) => {
      calls.push(items);
      return items.map((i) => `${i}!`);
    });
    const results = await Promise.all([
      joiner.submit('a', 4),
      joiner.submit('b', 4),
      joiner.submit('c', 4), // would make 12: starts the next group
      joiner.submit('d', 30), // larger than maxRecords: a group of its own
      joiner.submit('e', 1),
    ]);
    expect(results).toEqual(['a!', 'b!', 'c!', 'd!', 'e!']);
    expect(calls).toEqual([['a', 'b'], ['c'], ['d'], ['e']]);
    // A later tick is a new fetch: a new call.
    await joiner.submit('f', 1);
    expect(calls.at(-1)).toEqual(['f']);
  });

  it('rejects every item of a group whose call failed, and only that group', async () => {
    const joiner = new PartitionJoiner<string, string>(2, async (items) => {
      if (items.includes('bad')) throw new Error('boom');
      return items;
    });
    const outcomes = await Promise.allSettled([joiner.submit('bad', 1), joiner.submit('x', 1), joiner.submit('y', 1)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });
});
