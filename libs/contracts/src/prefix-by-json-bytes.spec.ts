import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jsonBytes } from './message-limits';
import { prefixByJsonBytes } from './prefix-by-json-bytes';

const UNITS = [
  'a',
  'ğ',
  '€',
  '"',
  '\\',
  '\n',
  '\u0001',
  '\u0000',
  '\uD83D',
  '\uDE00',
  '😀',
  '🇹🇷',
  '👍🏽',
  'e\u0301',
  '\u202E',
];
const text = fc.oneof(
  fc.array(fc.constantFrom(...UNITS), { maxLength: 40 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Splits a surrogate pair: a high half at the end of the prefix whose low half follows in the text. */
const splitsPair = (whole: string, prefix: string) =>
  /[\uD800-\uDBFF]$/.test(prefix) && /^[\uDC00-\uDFFF]/.test(whole.slice(prefix.length));

describe('prefixByJsonBytes', () => {
  it('returns a prefix within both caps, never inside a surrogate pair, and the whole text when it fits', () => {
    fc.assert(
      fc.property(text, fc.nat({ max: 200 }), fc.option(fc.nat({ max: 60 }), { nil: undefined }), (s, max, units) => {
        const cut = prefixByJsonBytes(s, max, units);
        expect(s.startsWith(cut)).toBe(true);
        expect(jsonBytes(cut)).toBeLessThanOrEqual(max);
        if (units !== undefined) expect(cut.length).toBeLessThanOrEqual(units);
        expect(splitsPair(s, cut)).toBe(false);
        if (jsonBytes(s) <= max && s.length <= (units ?? Infinity)) expect(cut).toBe(s);
      }),
      { seed: 7101, numRuns: 10_000 },
    );
  });

  it('ends on a grapheme boundary: flags, skin tones and accents stay whole', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', '🇹🇷', '👍🏽', 'e\u0301', 'ğ', '👩‍💻'), { maxLength: 30 }).map((p) => p.join('')),
        fc.nat({ max: 120 }),
        (s, max) => {
          const cut = prefixByJsonBytes(s, max);
          const boundaries = new Set([0, ...[...segmenter.segment(s)].map((g) => g.index + g.segment.length)]);
          if (!boundaries.has(cut.length)) {
            // Only a first grapheme longer than the cap is cut between code points (as prefixByUnits does).
            expect(Math.min(...[...boundaries].filter((b) => b > 0))).toBeGreaterThan(cut.length);
            return;
          }
          // Nothing is given up beyond the last whole grapheme that fits.
          const next = [...boundaries].filter((b) => b > cut.length).sort((a, b) => a - b)[0];
          if (next !== undefined) expect(jsonBytes(s.slice(0, next))).toBeGreaterThan(max);
        },
      ),
      { seed: 7102, numRuns: 5_000 },
    );
  });

  it('cuts megabytes in linear time, at every position of a surrogate pair', () => {
    for (let shift = 0; shift < 8; shift++) {
      const s = `${'x'.repeat(shift)}${'😀'.repeat(600_000)}`;
      const cut = prefixByJsonBytes(s, 1_000_001);
      expect(jsonBytes(cut)).toBeLessThanOrEqual(1_000_001);
      expect(jsonBytes(cut)).toBeGreaterThan(1_000_001 - 4);
      expect(splitsPair(s, cut)).toBe(false);
    }
  });
});
