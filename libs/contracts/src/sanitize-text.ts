import { IdentityError } from './identity';

/*
 * Postgres refuses two things JSON and JavaScript strings allow: U+0000 (in text and in jsonb) and
 * unpaired UTF-16 surrogates (no UTF-8 form; jsonb rejects their escapes). A message carrying
 * either is accepted by zod and then fails in the unifier's INSERT, so every edge cleans or
 * refuses them with the functions below, the same way in every connector.
 */

// eslint-disable-next-line no-control-regex -- finding NUL is the point
const NUL = /\u0000/g;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they reorder what is shown. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
const REPLACEMENT = '\uFFFD';

export const SANITIZE_ERROR_CODE = 'TEXT.NOT_STORABLE';

/** What cleaning a string did: the caller turns it into `flags.textSanitized` / `flags.bidiControls`. */
export interface SanitizedText {
  text: string;
  /** NULs were removed or unpaired surrogates replaced by U+FFFD. */
  sanitized: boolean;
  /** Bidi controls were present (kept in texts, removed from names). */
  bidi: boolean;
}

/** True when Postgres can store the string as text and inside jsonb (no NUL, no unpaired surrogate). */
export function isStorableText(value: string): boolean {
  NUL.lastIndex = 0;
  LONE_SURROGATE.lastIndex = 0;
  return !NUL.test(value) && !LONE_SURROGATE.test(value);
}

export function hasBidiControls(value: string): boolean {
  BIDI_CONTROLS.lastIndex = 0;
  return BIDI_CONTROLS.test(value);
}

/**
 * Free text a person wrote (text, fullText, subject, captions): NULs removed, unpaired surrogates
 * replaced by U+FFFD, everything else untouched. Bidi controls are kept (they can be legitimate
 * in right-to-left writing) and reported, so agents' tools can show them.
 */
export function sanitizeText(value: string): SanitizedText {
  const bidi = hasBidiControls(value);
  if (isStorableText(value)) return { text: value, sanitized: false, bidi };
  // Surrogates first: removing a NUL between two unpaired halves must not join them into a character.
  return { text: value.replace(LONE_SURROGATE, REPLACEMENT).replace(NUL, ''), sanitized: true, bidi };
}

/**
 * A name shown to agents (display names, usernames, file names): as sanitizeText, and bidi
 * controls removed — in a one-line label they only serve to spoof (`‮gpj.exe`).
 */
export function sanitizeName(value: string): SanitizedText {
  const cleaned = sanitizeText(value);
  return cleaned.bidi ? { ...cleaned, text: cleaned.text.replace(BIDI_CONTROLS, '') } : cleaned;
}

/**
 * An identifier (identity value, external id, conversation ref, URL): repairing it could make two
 * different ids equal, so a NUL or an unpaired surrogate is refused with an IdentityError naming
 * `field`.
 */
export function assertStorableIdentifier(field: string, value: string): string {
  NUL.lastIndex = 0;
  if (NUL.test(value)) throw new IdentityError(field, `${field} contains a NUL character`);
  LONE_SURROGATE.lastIndex = 0;
  if (LONE_SURROGATE.test(value)) throw new IdentityError(field, `${field} contains an unpaired UTF-16 surrogate`);
  return value;
}

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** Graphemes are looked for this far past the cut, so the last one before it is seen whole. */
const GRAPHEME_LOOKAHEAD = 64;
let segmenter: Intl.Segmenter | undefined;

/**
 * The longest prefix of at most `maxUnits` UTF-16 code units ending on a grapheme boundary (so an
 * emoji, a flag or a letter with its accents is never split), else on a code point boundary (never
 * inside a surrogate pair). Unchanged when it fits.
 */
export function prefixByUnits(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  if (maxUnits <= 0) return '';
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const window = text.slice(0, maxUnits + GRAPHEME_LOOKAHEAD);
  let boundary = 0;
  for (const { index, segment } of segmenter.segment(window)) {
    const end = index + segment.length;
    // The window's own end is only a boundary when the window is the whole text.
    if (end > maxUnits || (end === window.length && window.length < text.length)) break;
    boundary = end;
  }
  if (boundary > 0) return text.slice(0, boundary);
  // One grapheme longer than the limit (e.g. a letter with hundreds of combining marks).
  const cut = isLow(text.charCodeAt(maxUnits)) && isHigh(text.charCodeAt(maxUnits - 1)) ? maxUnits - 1 : maxUnits;
  return text.slice(0, cut);
}

/**
 * Text cut to at most `maxUnits` UTF-16 code units for display (recent messages, previews): when
 * it does not fit, a visible prefix (see prefixByUnits) followed by `marker` (default `…`), the
 * whole result within `maxUnits`.
 */
export function cutText(text: string, maxUnits: number, { marker = '…' }: { marker?: string } = {}): string {
  if (text.length <= maxUnits) return text;
  if (maxUnits < marker.length) return prefixByUnits(text, maxUnits);
  return `${prefixByUnits(text, maxUnits - marker.length)}${marker}`;
}
