import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { looksSingleByte, UTF8_OR_FALLBACK } from './utf8-or-fallback';

export interface RepairedBlock {
  bytes: Buffer;
  /** The boundary of a multipart part. */
  boundary?: string;
  multipart: boolean;
  /** multipart/digest: its parts default to message/rfc822 instead of text/plain. */
  digest: boolean;
  /** Repaired header text → the original (latin1, without the line end); null: a header that was added. */
  restore: Map<string, string | null>;
}

export interface BlockOptions {
  fallback: string;
  /** Labels and defects repaired, for `flags.charsetFallback`. */
  replaced: string[];
  /** The part defaults to text/plain when it has no Content-Type (RFC 2045/2046). */
  defaultText: boolean;
}

const ENCODED_WORD = /=\?([^?\s*]+)(\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=/g;
const CHARSET_PARAM = /(charset\s*=\s*"?)([^";\s]+)/i;
const BOUNDARY_PARAM = /boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i;
const TEXT_BODY = /^\s*text\/(plain|html)\b/i;

/**
 * Repairs one header block (the message's or a MIME part's) so the parser decodes it without
 * U+FFFD: raw 8-bit values in a single-byte charset are transcoded to UTF-8, encoded words in an
 * unknown charset (or labelled UTF-8 but not UTF-8) are relabelled with the fallback, unknown
 * body charsets become the fallback, and text parts that claim UTF-8/US-ASCII or nothing get the
 * marker charset whose decoder checks the bytes first. Headers that need nothing stay byte-exact.
 */
export function repairHeaderBlock(lines: Buffer[], options: BlockOptions): RepairedBlock {
  const headers = groupHeaders(lines);
  const out: Buffer[] = [];
  const restore = new Map<string, string | null>();
  let contentType: string | undefined;
  for (const raw of headers) {
    const name = raw.toString('latin1', 0, Math.min(raw.length, 64)).split(':')[0]!.trim().toLowerCase();
    let text = raw.toString('latin1');
    if (!isUtf8(raw) && looksSingleByte(raw)) {
      text = Buffer.from(iconv.decode(raw, options.fallback), 'utf8').toString('latin1');
      options.replaced.push('8bit-header');
    }
    if (text.includes('=?'))
      text = text.replace(ENCODED_WORD, (word, charset: string, lang = '', enc: string, payload: string) =>
        relabelWord(word, charset, lang, enc, payload, options),
      );
    if (name === 'content-type') {
      text = repairContentType(text, options);
      contentType = unfold(text);
    }
    const original = raw.toString('latin1');
    if (text !== original) restore.set(withoutLineEnd(text), withoutLineEnd(original));
    out.push(text === original ? raw : Buffer.from(text, 'latin1'));
  }
  if (contentType === undefined && options.defaultText) {
    const added = `Content-Type: text/plain; charset=${UTF8_OR_FALLBACK}`;
    const end = (lines[0] && lineEndOf(lines[0])) || '\r\n';
    restore.set(added, null);
    if (out.length > 0 && lineEndOf(out[out.length - 1]!) === '') out.push(Buffer.from(end));
    out.push(Buffer.from(`${added}${end}`, 'latin1'));
  }
  const type = /^[^:]*:\s*([^;\s]+)/.exec(contentType ?? '')?.[1]?.toLowerCase() ?? '';
  const multipart = type.startsWith('multipart/');
  const m = multipart ? BOUNDARY_PARAM.exec(contentType!) : null;
  const boundary = (m?.[1] ?? m?.[2] ?? '').trimEnd();
  return {
    bytes: Buffer.concat(out),
    multipart,
    digest: type === 'multipart/digest',
    restore,
    ...(boundary ? { boundary } : {}),
  };
}

function repairContentType(text: string, options: BlockOptions): string {
  const cs = CHARSET_PARAM.exec(text);
  if (cs && !isKnownCharset(cs[2]!)) {
    options.replaced.push(cs[2]!.slice(0, 64));
    return text.replace(CHARSET_PARAM, `$1${options.fallback}`);
  }
  if (!TEXT_BODY.test(text.slice(text.indexOf(':') + 1))) return text;
  if (cs) return isUtf8Label(cs[2]!) ? text.replace(CHARSET_PARAM, `$1${UTF8_OR_FALLBACK}`) : text;
  const end = lineEndOf(text);
  return `${withoutTrailingSemicolon(text.slice(0, text.length - end.length))}; charset=${UTF8_OR_FALLBACK}${end}`;
}

function relabelWord(
  word: string,
  charset: string,
  lang: string,
  enc: string,
  payload: string,
  options: BlockOptions,
): string {
  const relabel = () => `=?${options.fallback}${lang}?${enc}?${payload}?=`;
  if (!isKnownCharset(charset)) {
    options.replaced.push(charset.slice(0, 64));
    return relabel();
  }
  if (!isUtf8Label(charset)) return word;
  const bytes = /^b$/i.test(enc) ? Buffer.from(payload, 'base64') : qDecode(payload);
  if (!looksSingleByte(bytes)) return word;
  options.replaced.push(`${charset.slice(0, 32)}-word`);
  return relabel();
}

function qDecode(payload: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < payload.length; i++) {
    const c = payload[i]!;
    const hex = c === '=' ? payload.slice(i + 1, i + 3) : '';
    if (/^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(c === '_' ? 0x20 : c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}

/** Physical lines → one buffer per header (continuation lines start with a blank). */
function groupHeaders(lines: Buffer[]): Buffer[] {
  const headers: Buffer[][] = [];
  for (const line of lines) {
    if ((line[0] === 0x20 || line[0] === 0x09) && headers.length > 0) headers[headers.length - 1]!.push(line);
    else headers.push([line]);
  }
  return headers.map((h) => (h.length === 1 ? h[0]! : Buffer.concat(h)));
}

const unfold = (text: string) => text.replace(/\r?\n[ \t]+/g, ' ').replace(/\r?\n$/, '');
const lineEndOf = (text: Buffer | string) =>
  /\r\n$/.test(text.toString('latin1')) ? '\r\n' : /\n$/.test(text.toString('latin1')) ? '\n' : '';
const withoutLineEnd = (text: string) => text.replace(/\r?\n$/, '');

/** Labels the parser reads as UTF-8 without a decoder (its own list: ascii, us-ascii, utf-8). */
export function isUtf8Label(label: string): boolean {
  return ['ascii', 'usascii', 'utf8'].includes(label.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

export function isKnownCharset(label: string): boolean {
  const name = label.toLowerCase();
  // utf-7 is refused by the parser on purpose (markup smuggling); leave it to that refusal.
  // Japanese charsets are decoded by the parser itself (encoding-japanese), not iconv-lite.
  if (/^(us-)?ascii$|^utf-?7|^(x-|cs)?iso-?2022-?jp|^(x-)?shift[-_]?jis|^(x-)?euc-?jp|^(x-)?sjis/.test(name))
    return true;
  const bare = name.replace(/^x-/, '');
  return iconv.encodingExists(name) || iconv.encodingExists(bare);
}

/** `a; b ;  ` → `a; b` (by hand: `;?\s*$` is quadratic on long whitespace runs). */
function withoutTrailingSemicolon(value: string): string {
  const trimmed = value.trimEnd();
  return trimmed.endsWith(';') ? trimmed.slice(0, -1) : trimmed;
}
