/**
 * Bytes a UTF-16 code unit (or pair) takes inside a JSON string as JSON.stringify writes it, in
 * UTF-8: `"` and `\` double, control characters become `\n` or `\u00XX`, unpaired surrogates
 * `\uXXXX`. Measured, not guessed: a value of quotes doubles, one of control characters grows sixfold.
 */
function escapedBytes(text: string, i: number): { units: number; bytes: number } {
  const unit = text.charCodeAt(i);
  if (unit === 0x22 || unit === 0x5c) return { units: 1, bytes: 2 };
  if (unit < 0x20) return { units: 1, bytes: [0x08, 0x09, 0x0a, 0x0c, 0x0d].includes(unit) ? 2 : 6 };
  if (unit < 0x80) return { units: 1, bytes: 1 };
  if (unit < 0x800) return { units: 1, bytes: 2 };
  if (unit >= 0xd800 && unit <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff ? { units: 2, bytes: 4 } : { units: 1, bytes: 6 };
  }
  if (unit >= 0xdc00 && unit <= 0xdfff) return { units: 1, bytes: 6 };
  return { units: 1, bytes: 3 };
}

/** The longest prefix of `text` whose JSON encoding (without the quotes) fits `maxBytes`; never splits a pair. */
export function jsonPrefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const next = escapedBytes(text, i);
    if (bytes + next.bytes > maxBytes) break;
    bytes += next.bytes;
    i += next.units;
  }
  return text.slice(0, i);
}
