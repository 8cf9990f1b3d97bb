import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';

/**
 * The charset label the charset guard gives text parts that claim UTF-8 or US-ASCII (or claim
 * nothing): the parser hands such parts to the decoder below instead of reading them as UTF-8.
 */
export const UTF8_OR_FALLBACK = 'x-kanal-utf8-or-fallback';

/**
 * Whether bytes that are not valid UTF-8 were written in a single-byte charset (a Turkish client
 * that labels windows-1254 text as UTF-8) rather than being UTF-8 with some damaged bytes (a cut
 * quoted-printable sequence, broken base64): not one well-formed multibyte UTF-8 character in them.
 */
export function looksSingleByte(bytes: Uint8Array): boolean {
  if (isUtf8(bytes)) return false;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = len > 0 && i + len <= bytes.length;
    for (let j = 1; ok && j < len; j++) ok = (bytes[i + j]! & 0xc0) === 0x80;
    if (ok) return false;
    i++;
  }
  return true;
}

/** Buffers one text part; UTF-8 stays UTF-8, single-byte text is decoded with the fallback. */
class Utf8OrFallbackDecoder extends Transform {
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly fallback: string,
    private readonly onFallback: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    const bytes = Buffer.concat(this.chunks);
    if (!looksSingleByte(bytes)) return done(null, bytes);
    this.onFallback();
    done(null, Buffer.from(iconv.decode(bytes, this.fallback), 'utf8'));
  }
}

interface CharsetDecoder {
  decodeStream(charset: string): Transform;
}

/**
 * Routes the marker charset to the decoder above and every other charset to the parser's own
 * decoder. mailparser keeps that decoder as `decoder` (no public hook exists; its version is pinned
 * and the fixture specs fail if the property moves).
 */
export function hookDecoder(parser: object, fallback: string, onFallback: () => void): void {
  const holder = parser as { decoder?: CharsetDecoder };
  const own = holder.decoder;
  if (typeof own?.decodeStream !== 'function') throw new Error('the MIME parser no longer exposes its charset decoder');
  holder.decoder = {
    decodeStream: (charset) =>
      charset.toLowerCase() === UTF8_OR_FALLBACK
        ? new Utf8OrFallbackDecoder(fallback, onFallback)
        : own.decodeStream(charset),
  };
}
