import { Transform, type TransformCallback } from 'node:stream';
import { repairHeaderBlock } from './header-block';

export { isKnownCharset } from './header-block';

const MAX_LINE = 64 * 1024;
// Past this a header block is passed on untouched: the parser refuses blocks this large anyway.
const MAX_HEADER_BLOCK = 2 * 1024 * 1024;
// What is kept of a multipart's preamble, for a message whose declared boundary never comes.
const MAX_PREAMBLE = 256 * 1024;
const BOUNDARY_TAIL = /^(--)?[ \t]*\r?\n?$/;

interface Delimiter {
  start: number;
  end: number;
  /** Which open multipart (stack index) the boundary belongs to. */
  index: number;
  close: boolean;
}

/**
 * Sits in front of the MIME parser and repairs what would make it replace characters with U+FFFD
 * (unknown and mislabelled charsets, raw 8-bit headers; see repairHeaderBlock). It follows the MIME
 * structure line by line (header blocks, multipart boundaries) so that only header blocks are ever
 * rewritten: body bytes, and with them every attachment, pass byte-exact.
 */
export class CharsetGuard extends Transform {
  /** What was repaired (labels, `8bit-header`, `utf-8-body`…), for `flags.charsetFallback`. */
  readonly replaced: string[] = [];
  /** The message's own header lines as they were before the repair (see RepairedBlock.restore). */
  readonly restore = new Map<string, string | null>();
  /** The preamble of a top-level multipart: the text of a message whose parts cannot be found. */
  readonly preamble: Buffer[] = [];
  private preambleBytes = 0;
  private mode: 'header' | 'body' | 'raw' = 'header';
  private header: Buffer[] = [];
  private headerBytes = 0;
  private top = true;
  private inPreamble = false;
  private defaultText = true;
  private readonly stack: Array<{ boundary: string; digest: boolean }> = [];
  private rest: Buffer = Buffer.alloc(0);
  private midLine = false;
  private output: (bytes: Buffer) => void = (bytes) => this.push(bytes);

  constructor(private readonly fallback: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const lastNl = data.lastIndexOf(10);
    if (lastNl < 0 && (data.length <= MAX_LINE || this.mode === 'header')) {
      this.rest = data;
      if (this.mode === 'header' && data.length > MAX_HEADER_BLOCK) {
        this.giveUp();
        this.output(data);
        this.rest = Buffer.alloc(0);
      }
      return done();
    }
    const cut = lastNl < 0 ? data.length : lastNl + 1;
    this.rest = data.subarray(cut);
    this.process(data.subarray(0, cut));
    this.midLine = lastNl < 0;
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.rest.length) this.process(this.rest);
    if (this.mode === 'header' && this.header.length) this.endHeader();
    done();
  }

  /** The whole of an in-memory message (no stream plumbing per message). */
  rewrite(bytes: Buffer): Buffer {
    const out: Buffer[] = [];
    this.output = (b) => out.push(b);
    this.process(bytes);
    if (this.mode === 'header' && this.header.length) this.endHeader();
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  private process(region: Buffer): void {
    let pos = 0;
    while (pos < region.length) {
      if (this.mode === 'raw') {
        this.output(region.subarray(pos));
        return;
      }
      if (this.mode === 'header') {
        const here = this.delimiterAt(region, pos);
        if (here)
          this.endHeader(); // a part with headers only: the delimiter ends it
        else {
          const nl = region.indexOf(10, pos);
          const line = region.subarray(pos, nl < 0 ? region.length : nl + 1);
          pos += line.length;
          if (line[0] === 10 || (line[0] === 13 && line[1] === 10)) {
            this.endHeader();
            this.output(line);
          } else {
            this.header.push(line);
            this.headerBytes += line.length;
            if (this.headerBytes > MAX_HEADER_BLOCK) this.giveUp();
          }
          continue;
        }
      }
      const delimiter = this.nextDelimiter(region, pos);
      const upto = delimiter ? delimiter.start : region.length;
      if (upto > pos) this.body(region.subarray(pos, upto));
      if (!delimiter) return;
      this.output(region.subarray(delimiter.start, delimiter.end));
      pos = delimiter.end;
      this.inPreamble = false;
      this.stack.length = delimiter.close ? delimiter.index : delimiter.index + 1;
      if (!delimiter.close) {
        this.mode = 'header';
        this.top = false;
        this.defaultText = !this.stack[delimiter.index]!.digest;
      }
    }
  }

  /** The next `--boundary` / `--boundary--` line of an open multipart at or after `from`. */
  private nextDelimiter(region: Buffer, from: number): Delimiter | undefined {
    if (this.stack.length === 0) return undefined;
    for (let at = from; at >= 0 && at < region.length;) {
      const found = this.delimiterAt(region, at);
      if (found) return found;
      const next = region.indexOf('\n--', at);
      at = next < 0 ? -1 : next + 1;
    }
    return undefined;
  }

  /** The delimiter line starting at `at`, if the line there is one. */
  private delimiterAt(region: Buffer, at: number): Delimiter | undefined {
    if (this.stack.length === 0 || region[at] !== 45 || region[at + 1] !== 45) return undefined;
    if (at === 0 ? this.midLine : region[at - 1] !== 10) return undefined;
    const nl = region.indexOf(10, at);
    const end = nl < 0 ? region.length : nl + 1;
    if (end - at > 1_000) return undefined;
    const line = region.toString('latin1', at + 2, end);
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const b = this.stack[i]!.boundary;
      if (line.startsWith(b) && BOUNDARY_TAIL.test(line.slice(b.length)))
        return { start: at, end, index: i, close: line.slice(b.length).startsWith('--') };
    }
    return undefined;
  }

  private body(bytes: Buffer): void {
    this.output(bytes);
    if (this.inPreamble && this.preambleBytes < MAX_PREAMBLE) {
      this.preamble.push(bytes.subarray(0, MAX_PREAMBLE - this.preambleBytes));
      this.preambleBytes += bytes.length;
    }
  }

  private endHeader(): void {
    const block = repairHeaderBlock(this.header, {
      fallback: this.fallback,
      replaced: this.replaced,
      defaultText: this.defaultText,
    });
    this.output(block.bytes);
    if (this.top) for (const [k, v] of block.restore) this.restore.set(k, v);
    if (block.multipart) {
      if (block.boundary) this.stack.push({ boundary: block.boundary, digest: block.digest });
      this.inPreamble = this.top;
    }
    this.header = [];
    this.headerBytes = 0;
    this.mode = 'body';
  }

  private giveUp(): void {
    if (this.header.length) this.output(Buffer.concat(this.header));
    this.header = [];
    this.mode = 'raw';
  }
}
