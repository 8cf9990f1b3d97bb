import { expect, it } from '@jest/globals';
import { z } from 'zod';
import { cursorTime, decodeCursor, encodeCursor } from './cursor';

const shape = z.tuple([z.string(), z.uuid()]);

it('round-trips what it encoded and refuses anything of another shape', () => {
  const value = ['2026-11-20T09:00:00.123456Z', '5b1f3c1e-8f0a-4b6e-9c2d-1a2b3c4d5e6f'];
  expect(decodeCursor(encodeCursor(value), shape)).toEqual(value);
  for (const forged of [
    encodeCursor({ a: 1 }),
    encodeCursor(['x', 'not-a-uuid']),
    encodeCursor('x'),
    'not base64!',
    '',
    'e30'.repeat(1_000),
  ])
    expect(decodeCursor(forged, shape)).toBeUndefined();
  expect(decodeCursor(Buffer.from('{not json').toString('base64url'), shape)).toBeUndefined();
});

it('takes only real instants as cursor times', () => {
  const ms = cursorTime(3);
  const us = cursorTime(6);
  expect(ms.safeParse('2026-11-20T09:00:00.123Z').success).toBe(true);
  expect(us.safeParse('2026-11-20T09:00:00.123456Z').success).toBe(true);
  expect(us.safeParse('0001-01-01T00:00:00.000000Z').success).toBe(true);
  for (const bad of ['2026-02-30T09:00:00.123Z', '2026-99-99T99:99:99.000Z', '0000-01-01T00:00:00.000Z', '2026-11-20'])
    expect(ms.safeParse(bad).success).toBe(false);
  expect(us.safeParse('2026-11-20T09:00:00.123Z').success).toBe(false);
});

it('refuses a cursor whose strings Postgres cannot store', () => {
  expect(decodeCursor(encodeCursor(['x\u0000', '5b1f3c1e-8f0a-4b6e-9c2d-1a2b3c4d5e6f']), shape)).toBeUndefined();
});
