import { afterAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fuzzRuns, fuzzTimeout, inputCounter } from '@kanal/testing';
import { jsonPrefix } from './json-prefix';

const counter = inputCounter('libs/kafka jsonPrefix');
afterAll(() => counter.report());

const encoded = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;
const UNITS = ['a', '"', '\\', '\n', '\u0001', 'é', '€', '😀', '\uD800', '\uDFFF', '\u2028'];
const text = fc.array(fc.constantFrom(...UNITS), { maxLength: 60 }).map((p) => p.join(''));

it(
  'is the longest prefix whose JSON encoding fits, measured the way JSON.stringify writes it',
  () => {
    fc.assert(
      fc.property(text, fc.nat({ max: 400 }), (input, max) => {
        counter.tick();
        const prefix = jsonPrefix(input, max);
        expect(input.startsWith(prefix)).toBe(true);
        expect(encoded(prefix)).toBeLessThanOrEqual(max);
        // One more unit (or pair) would not fit, unless the text is used up.
        if (prefix.length < input.length) {
          const pair = /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(input.slice(prefix.length, prefix.length + 2));
          expect(encoded(input.slice(0, prefix.length + (pair ? 2 : 1)))).toBeGreaterThan(max);
          expect(/[\uD800-\uDBFF]$/.test(prefix) && /^[\uDC00-\uDFFF]/.test(input.slice(prefix.length))).toBe(false);
        }
      }),
      { seed: 1631, numRuns: fuzzRuns(3_000) },
    );
  },
  fuzzTimeout(),
);
