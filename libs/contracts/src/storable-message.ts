import { sanitizeName, sanitizeText, isStorableText, SANITIZE_ERROR_CODE } from './sanitize-text';

/*
 * One pass over an event's `data` that makes every string storable, by what the field is:
 * - texts people read (text, fullText, subject, captions, …): NUL removed, unpaired surrogates
 *   replaced, bidi controls kept and flagged;
 * - names shown as labels (display names, usernames, file and group names): the same, and bidi
 *   controls removed;
 * - everything else is an identifier (ids, refs, identity values, URLs, metadata keys): refused,
 *   because a repaired id could equal another one. Unknown fields count as identifiers, so a new
 *   field is refused rather than silently altered.
 */

const TEXT_KEYS = new Set(['text', 'fullText', 'subject', 'caption', 'title', 'address', 'emoji', 'message']);
const NAME_KEYS = new Set(['displayName', 'username', 'name']);
/** Key/value maps whose values are free text (their keys stay identifiers). */
const TEXT_MAPS = new Set(['metadata']);

export interface StorableIssue {
  /** Dotted path of the field (`sender.identities.0.value`). */
  path: string;
  code: typeof SANITIZE_ERROR_CODE;
  message: string;
}

export interface StorableMessage<T> {
  /** A copy with every text and name cleaned (identifiers as given). */
  data: T;
  /** `textSanitized` and/or `bidiControls`, to merge into the event's flags. */
  flags: { textSanitized?: true; bidiControls?: true };
  /** Identifiers that cannot be stored; the edge answers 400 (API) or falls back (connectors). */
  issues: StorableIssue[];
}

type Kind = 'text' | 'name' | 'identifier';

/** Cleans or reports every string of `data` (see above); never throws and never mutates `data`. */
export function storableMessage<T>(data: T): StorableMessage<T> {
  const flags: StorableMessage<T>['flags'] = {};
  const issues: StorableIssue[] = [];
  const refuse = (path: string[], what: string) =>
    issues.push({ path: path.join('.') || '(root)', code: SANITIZE_ERROR_CODE, message: `${what} cannot be stored` });

  const visit = (value: unknown, path: string[], kind: Kind): unknown => {
    if (typeof value === 'string') {
      if (kind === 'identifier') {
        if (!isStorableText(value)) refuse(path, 'a NUL character or an unpaired UTF-16 surrogate');
        return value;
      }
      const cleaned = kind === 'name' ? sanitizeName(value) : sanitizeText(value);
      if (cleaned.sanitized) flags.textSanitized = true;
      if (cleaned.bidi) flags.bidiControls = true;
      return cleaned.text;
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, [...path, String(i)], kind));
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    const parent = path[path.length - 1];
    for (const [key, child] of Object.entries(value)) {
      if (!isStorableText(key)) refuse([...path, key], 'a key with a NUL character or an unpaired surrogate');
      out[key] = visit(child, [...path, key], kindOf(key, parent));
    }
    return out;
  };
  return { data: visit(data, [], 'identifier') as T, flags, issues };
}

/** Arrays pass their field's kind to their items (`references[]` stay identifiers). */
function kindOf(key: string, parent: string | undefined): Kind {
  if (parent !== undefined && TEXT_MAPS.has(parent)) return 'text';
  if (NAME_KEYS.has(key)) return 'name';
  return TEXT_KEYS.has(key) ? 'text' : 'identifier';
}
