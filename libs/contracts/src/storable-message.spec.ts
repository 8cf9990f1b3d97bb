import { expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isStorableText, sanitizeName, sanitizeText } from './sanitize-text';
import { storableMessage } from './storable-message';

const UNITS = ['a', 'ğ', '"', '\u0000', '\uD800', '\uDFFF', '😀', '\u202E', '\u2067', 'e\u0301'];
const hostile = fc.array(fc.constantFrom(...UNITS), { maxLength: 12 }).map((p) => p.join(''));

/** Every string of a value with its dotted path. */
function strings(value: unknown, path: string[] = []): Array<[string, string]> {
  if (typeof value === 'string') return [[path.join('.'), value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, String(i)]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

const message = fc.record({
  text: hostile,
  fullText: hostile,
  subject: hostile,
  externalId: hostile,
  conversationRef: hostile,
  sender: fc.record({
    displayName: hostile,
    username: hostile,
    identities: fc.array(fc.record({ type: fc.constant('external'), value: hostile }), { maxLength: 2 }),
  }),
  attachments: fc.array(fc.record({ kind: fc.constant('document'), name: hostile, caption: hostile, url: hostile }), {
    maxLength: 2,
  }),
  metadata: fc.dictionary(fc.constantFrom('order', 'note'), hostile),
  email: fc.record({ messageId: hostile, references: fc.array(hostile, { maxLength: 2 }) }),
});

const TEXTS = /^(text|fullText|subject|attachments\.\d+\.caption|metadata\.\w+)$/;
const NAMES = /^(sender\.(displayName|username)|attachments\.\d+\.name)$/;

it('cleans texts and names, refuses unstorable identifiers, and leaves everything else as it was', () => {
  fc.assert(
    fc.property(message, (input) => {
      const before = JSON.stringify(input);
      const result = storableMessage(input);
      expect(JSON.stringify(input)).toBe(before); // never mutates
      const out = new Map(strings(result.data));
      const refused = new Set(result.issues.map((i) => i.path));
      let sanitized = false;
      let bidi = false;
      for (const [path, value] of strings(input)) {
        const kind = TEXTS.test(path) ? 'text' : NAMES.test(path) ? 'name' : 'identifier';
        if (kind === 'identifier') {
          expect(out.get(path)).toBe(value);
          expect(refused.has(path)).toBe(!isStorableText(value));
          continue;
        }
        const cleaned = kind === 'text' ? sanitizeText(value) : sanitizeName(value);
        expect(out.get(path)).toBe(cleaned.text);
        expect(isStorableText(out.get(path)!)).toBe(true);
        sanitized ||= cleaned.sanitized;
        bidi ||= cleaned.bidi;
      }
      expect(result.flags).toEqual({
        ...(sanitized ? { textSanitized: true } : {}),
        ...(bidi ? { bidiControls: true } : {}),
      });
      // Nothing else changed: the same shape, the same non-string values.
      expect(Object.keys(result.data)).toEqual(Object.keys(input));
    }),
    { seed: 1621, numRuns: 1_500 },
  );
});

it('names the field of a refused identifier', () => {
  const result = storableMessage({
    externalId: 'm\u0000',
    sender: { identities: [{ type: 'external', value: 'x\uD800' }] },
  });
  expect(result.issues.map((i) => i.path)).toEqual(['externalId', 'sender.identities.0.value']);
  expect(result.issues[0]).toMatchObject({ code: 'TEXT.NOT_STORABLE' });
});
