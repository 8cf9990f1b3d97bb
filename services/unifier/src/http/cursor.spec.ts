import { expect, it } from '@jest/globals';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from './cursor';

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
