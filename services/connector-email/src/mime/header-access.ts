import type { ParsedMail } from './parsed-mail';

/** Raw (unfolded, undecoded) value of the first header with this lower-case name. */
export function rawHeader(mail: Pick<ParsedMail, 'headerLines'>, name: string): string | undefined {
  const line = mail.headerLines.find((l) => l.key === name)?.line;
  if (line === undefined) return undefined;
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

/**
 * The Date header parsed by us: the MIME parser turns an unparsable Date into "now", which would
 * reorder history silently. Undefined means "fall back to INTERNALDATE".
 */
export function headerDate(mail: Pick<ParsedMail, 'headerLines'>): Date | undefined {
  const raw = rawHeader(mail, 'date');
  if (!raw) return undefined;
  const date = new Date(withoutComments(raw).trim());
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1980 || year > 2200 ? undefined : date;
}

/** Date of the newest Received hop: the server's arrival time when no INTERNALDATE is at hand (.eml files). */
export function receivedDate(mail: Pick<ParsedMail, 'headerLines'>): Date | undefined {
  const line = mail.headerLines.find((l) => l.key === 'received')?.line;
  const stamp = line === undefined ? undefined : withoutComments(line.slice(line.lastIndexOf(';') + 1)).trim();
  const date = stamp ? new Date(stamp) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/**
 * RFC 5322 comments (`(UTC)`, nested ones too) removed: innermost first, a few levels deep.
 * `[^()]` keeps each pass linear (`\([^)]*\)` rescans to the end from every `(` of a long run).
 */
function withoutComments(value: string): string {
  let out = value;
  for (let level = 0; level < 4; level++) {
    const next = out.replace(/\([^()]*\)/g, '');
    if (next === out) break;
    out = next;
  }
  return out;
}
