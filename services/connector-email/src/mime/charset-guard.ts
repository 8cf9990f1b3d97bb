import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';

// A `charset=` parameter on a Content-Type header line or its folded continuation.
const CHARSET_PARAM = /^((?:content-type:|[ \t]).*?charset\s*=\s*"?)([^";\s]+)/gi;
const MAX_LINE = 64 * 1024;

/**
 * Rewrites charset labels no decoder knows (`unknown-8bit`, `x-user-defined`, typos) to a fallback
 * before the MIME parser sees them: the parser would otherwise decode the part as UTF-8 and turn
 * every Turkish letter into U+FFFD. Works line by line on the raw stream (bytes kept as latin1, so
 * the round trip is exact) and records what it replaced so the event can be flagged.
 */
export class CharsetGuard extends Transform {
  readonly replaced: string[] = [];
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly fallback: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const lastNl = data.lastIndexOf(10);
    if (lastNl < 0) {
      if (data.length > MAX_LINE) {
        this.rest = Buffer.alloc(0);
        return done(null, data);
      }
      this.rest = data;
      return done();
    }
    this.rest = data.subarray(lastNl + 1);
    done(null, this.rewrite(data.subarray(0, lastNl + 1)));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.rest.length ? this.rewrite(this.rest) : undefined);
  }

  /** Rewrites the charset labels of a whole buffer (the line-wise path for in-memory sources). */
  rewrite(bytes: Buffer): Buffer {
    // Native substring search first: most chunks (bodies, base64) contain no `charset` at all,
    // and only the lines that do are decoded and matched.
    const hits: Array<[number, number]> = [];
    for (const needle of ['arset', 'ARSET', 'arSet']) {
      for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 5)) {
        const start = bytes.lastIndexOf(10, at) + 1;
        const nl = bytes.indexOf(10, at);
        hits.push([start, nl < 0 ? bytes.length : nl]);
      }
    }
    if (hits.length === 0) return bytes;
    hits.sort((a, b) => a[0] - b[0]);
    const parts: Buffer[] = [];
    let pos = 0;
    for (const [start, end] of hits) {
      if (start < pos) continue;
      const line = bytes.toString('latin1', start, end);
      const fixed = line.replace(CHARSET_PARAM, (all, prefix: string, label: string) => {
        if (isKnownCharset(label)) return all;
        this.replaced.push(label.slice(0, 64));
        return `${prefix}${this.fallback}`;
      });
      if (fixed === line) continue;
      parts.push(bytes.subarray(pos, start), Buffer.from(fixed, 'latin1'));
      pos = end;
    }
    if (parts.length === 0) return bytes;
    parts.push(bytes.subarray(pos));
    return Buffer.concat(parts);
  }
}

export function isKnownCharset(label: string): boolean {
  const name = label.toLowerCase();
  // utf-7 is refused by the parser on purpose (markup smuggling); leave it to that refusal.
  // Japanese charsets are decoded by libmime itself, not iconv-lite.
  return /^(us-)?ascii$|^utf-?7|^iso-?2022-jp|^shift[-_]?jis|^euc-?jp/.test(name) || iconv.encodingExists(name);
}
