/*
 * Size caps count JSON-encoded UTF-8 bytes (message-limits.ts), so a text is cut by that measure,
 * not by characters. prefixByUnits segments everything before the cut, and V8's grapheme
 * segmenter slows down more than linearly on long input (a 500k-unit text takes minutes), so here
 * only a window around the cut is segmented: clusters are short, and one longer than the window
 * is still never split inside a surrogate pair.
 */

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** Units segmented before the cut: far longer than any real grapheme cluster. */
const LOOKBEHIND = 1_024;
/** Units segmented past the cut, so the cluster the cut falls in is seen whole. */
const LOOKAHEAD = 64;
/** Control characters JSON writes as a two-character escape (`\b \t \n \f \r`); the others take six. */
const SHORT_ESCAPES = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

let segmenter: Intl.Segmenter | undefined;

/** JSON bytes of the code unit at `i` (a surrogate pair counts 4 at its high half and 0 at its low one). */
function unitBytes(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit === 0x22 || unit === 0x5c) return 2;
  if (unit < 0x20) return SHORT_ESCAPES.has(unit) ? 2 : 6;
  if (unit < 0x80) return 1;
  if (unit < 0x800) return 2;
  if (isHigh(unit)) return isLow(text.charCodeAt(i + 1)) ? 4 : 6;
  if (isLow(unit)) return isHigh(text.charCodeAt(i - 1)) ? 0 : 6;
  return 3;
}

/**
 * The longest prefix of `text` whose JSON-encoded UTF-8 size (without quotes, as `jsonBytes`
 * counts it) is at most `maxBytes` and whose length is at most `maxUnits` UTF-16 code units (what
 * zod's `.max()` counts), ending on a grapheme boundary when one lies within reach, and always on
 * a code point boundary (never inside a surrogate pair). Unchanged when it fits.
 */
export function prefixByJsonBytes(text: string, maxBytes: number, maxUnits = Number.POSITIVE_INFINITY): string {
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const cost = unitBytes(text, end);
    const width = cost === 4 ? 2 : 1;
    if (bytes + cost > maxBytes || end + width > maxUnits) break;
    bytes += cost;
    end += width;
  }
  if (end >= text.length) return text;
  if (end === 0) return '';
  const start = Math.max(0, end - LOOKBEHIND);
  const windowEnd = Math.min(text.length, end + LOOKAHEAD);
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let boundary = start;
  for (const { index, segment } of segmenter.segment(text.slice(start, windowEnd))) {
    const at = start + index + segment.length;
    if (at > end) break;
    boundary = at;
  }
  // No boundary after the window's start: one cluster longer than the window (hundreds of
  // combining marks); the code point cut stands.
  return text.slice(0, boundary > start ? boundary : end);
}
