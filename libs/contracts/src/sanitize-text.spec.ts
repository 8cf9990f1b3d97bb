import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IdentityError } from './identity';
import {
  assertStorableIdentifier,
  cutText,
  hasBidiControls,
  isStorableText,
  prefixByUnits,
  sanitizeName,
  sanitizeText,
} from './sanitize-text';

/** Units that break storage or display, mixed with ordinary text, pairs and multi-unit graphemes. */
const UNITS = [
  'a',
  'ş',
  ' ',
  '"',
  '\u0000',
  '\uD83D', // high surrogate
  '\uDE00', // low surrogate
  '😀',
  '👍🏽',
  '🇹🇷',
  '👩‍👩‍👧',
  'e\u0301',
  '\u202A',
  '\u202E',
  '\u2066',
  '\u2069',
  '\u200F',
  '\uFFFD',
];
const hostileText = fc.array(fc.constantFrom(...UNITS), { maxLength: 40 }).map((parts) => parts.join(''));
const anyText = fc.oneof(hostileText, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 40 }));

const BIDI = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);

/** Independent oracle: walks the code units and repairs what Postgres cannot store. */
function repaired(text: string, dropBidi: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit === 0) continue;
    if (dropBidi && BIDI.has(unit)) continue;
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += text[i]! + text[i + 1]!;
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) out += '\uFFFD';
    else out += text[i];
  }
  return out;
}

const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s;

describe('sanitizeText / sanitizeName', () => {
  it('make any string storable and change nothing but NULs and unpaired surrogates (names: and bidi controls)', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        const text = sanitizeText(input);
        expect(text.text).toBe(repaired(input, false));
        expect(isStorableText(text.text) && wellFormed(text.text) && !text.text.includes('\u0000')).toBe(true);
        expect(text.sanitized).toBe(text.text !== input);
        expect(text.bidi).toBe([...input].some((c) => BIDI.has(c.charCodeAt(0))));
        const name = sanitizeName(input);
        expect(name.text).toBe(repaired(input, true));
        expect(hasBidiControls(name.text)).toBe(false);
        expect(name.bidi).toBe(text.bidi);
      }),
      { seed: 1601, numRuns: 5_000 },
    );
  });

  it('keeps bidi controls in texts (they are flagged, not removed)', () => {
    expect(sanitizeText('abc\u202Edef')).toEqual({ text: 'abc\u202Edef', sanitized: false, bidi: true });
    expect(sanitizeName('Ay\u202Eşe\u2066')).toEqual({ text: 'Ayşe', sanitized: false, bidi: true });
    expect(sanitizeText('a\u0000b\uD800c😀')).toEqual({ text: 'ab\uFFFDc😀', sanitized: true, bidi: false });
  });
});

describe('assertStorableIdentifier', () => {
  it('refuses exactly the strings Postgres cannot store, naming the field', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        if (isStorableText(input)) expect(assertStorableIdentifier('externalId', input)).toBe(input);
        else {
          expect(() => assertStorableIdentifier('externalId', input)).toThrow(IdentityError);
          expect(() => assertStorableIdentifier('externalId', input)).toThrow(/^externalId contains/);
        }
      }),
      { seed: 1602, numRuns: 3_000 },
    );
  });
});

describe('cutText / prefixByUnits', () => {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const graphemeEnds = (s: string) => new Set([...segmenter.segment(s)].map((g) => g.index + g.segment.length));

  it('never exceeds the limit, never splits a surrogate pair and cuts on a grapheme boundary, at every position', () => {
    let cuts = 0;
    fc.assert(
      fc.property(hostileText, (input) => {
        const ends = graphemeEnds(input);
        for (let max = 0; max <= input.length + 1; max++) {
          cuts++;
          const prefix = prefixByUnits(input, max);
          expect(prefix.length).toBeLessThanOrEqual(max);
          expect(input.startsWith(prefix)).toBe(true);
          if (input.length <= max) expect(prefix).toBe(input);
          // A cut never makes an unpaired surrogate out of a pair.
          const pairSplit = /[\uD800-\uDBFF]$/.test(prefix) && /^[\uDC00-\uDFFF]/.test(input.slice(prefix.length));
          expect(pairSplit).toBe(false);
          // On a grapheme boundary, unless the first grapheme alone is longer than the limit.
          const first = [...segmenter.segment(input)][0];
          if (prefix.length > 0 && first && first.segment.length <= max) expect(ends.has(prefix.length)).toBe(true);
          const cut = cutText(input, max);
          expect(cut.length).toBeLessThanOrEqual(Math.max(max, 0));
          if (input.length <= max) expect(cut).toBe(input);
          else if (max >= 1) expect(cut).toBe(`${prefixByUnits(input, max - 1)}…`);
        }
      }),
      { seed: 1603, numRuns: 600 },
    );
    expect(cuts).toBeGreaterThan(6_000);
  });

  it('cuts the emoji on position 279 of a 300-unit text whole (the recent-text case)', () => {
    const text = `${'a'.repeat(278)}😀${'b'.repeat(20)}`;
    expect(cutText(text, 280)).toBe(`${'a'.repeat(278)}…`);
    expect(cutText(text, 281)).toBe(`${'a'.repeat(278)}😀…`);
    expect(isStorableText(cutText(text, 280))).toBe(true);
  });

  it('falls back to code points inside a grapheme longer than the limit', () => {
    const zalgo = `e${'\u0301'.repeat(500)}`;
    expect(prefixByUnits(zalgo, 10)).toBe(zalgo.slice(0, 10));
    expect(prefixByUnits(`😀${'\u0301'.repeat(50)}`, 1)).toBe('');
  });
});
