import { expect, it } from '@jest/globals';
import { deepNest } from '@kanal/testing';
import { z } from 'zod';
import { storable, unstorablePaths } from './storable-input';

it('names every string and key Postgres cannot store, at any depth', () => {
  expect(
    unstorablePaths({ a: 'ok', b: 'x\u0000', c: ['ok', '\uD800'], d: { 'k\uDC00': 'v', e: { f: 'a\uD83D\uDE00' } } }),
  ).toEqual([['b'], ['c', 1], ['d', 'k\uDC00']]);
  expect(unstorablePaths('\u0000')).toEqual([[]]);
  expect(unstorablePaths([1, null, true, 'Ayşe 😀'])).toEqual([]);
  // Iterative: nesting that would overflow a recursive walk is walked.
  expect(unstorablePaths(deepNest(50_000))).toEqual([]);
});

it('refuses them as issues of the schema, after the schema accepted the shape', () => {
  const schema = storable(z.object({ reason: z.string(), tags: z.record(z.string(), z.string()) }));
  expect(schema.safeParse({ reason: 'ok', tags: { a: 'b' } }).success).toBe(true);
  const r = schema.safeParse({ reason: 'no\u0000', tags: { 'x\uD800': 'b' } });
  expect(r.error?.issues.map((i) => i.path)).toEqual([['reason'], ['tags', 'x\uD800']]);
});
