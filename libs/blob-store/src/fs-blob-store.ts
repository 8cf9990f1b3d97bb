import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BLOB_ERROR_CODES, BlobTooLargeError, type BlobStore, type StoredBlob } from './blob-store.port';

const REF = /^blob:sha256\/([0-9a-f]{64})$/;

/**
 * Filesystem adapter: `<root>/sha256/ab/cd/<hash>`. Bytes are streamed to a temp file while being
 * hashed (bounded memory for any size), then renamed into place atomically.
 */
export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(source: Readable | Buffer | Uint8Array, { maxBytes }: { maxBytes?: number } = {}): Promise<StoredBlob> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (maxBytes !== undefined && size > maxBytes) return cb(new BlobTooLargeError(maxBytes));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const input = Buffer.isBuffer(source) || source instanceof Uint8Array ? Readable.from([Buffer.from(source)]) : source;
    try {
      await pipeline(input, meter, createWriteStream(tmp));
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    const sha256 = hash.digest('hex');
    const dir = join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4));
    await mkdir(dir, { recursive: true });
    await rename(tmp, join(dir, sha256));
    return { blobRef: `blob:sha256/${sha256}`, sha256, size };
  }

  async get(blobRef: string): Promise<Readable> {
    const path = this.pathOf(blobRef);
    try {
      await access(path);
    } catch {
      throw Object.assign(new Error(`no blob ${blobRef}`), { code: BLOB_ERROR_CODES.notFound });
    }
    return createReadStream(path);
  }

  async has(blobRef: string): Promise<boolean> {
    try {
      await access(this.pathOf(blobRef));
      return true;
    } catch {
      return false;
    }
  }

  private pathOf(blobRef: string): string {
    const m = REF.exec(blobRef);
    if (!m) throw Object.assign(new Error(`not a blob reference: ${blobRef}`), { code: BLOB_ERROR_CODES.badRef });
    const h = m[1]!;
    return join(this.root, 'sha256', h.slice(0, 2), h.slice(2, 4), h);
  }
}
