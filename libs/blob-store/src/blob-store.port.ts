import type { Readable } from 'node:stream';

export interface StoredBlob {
  /** `blob:sha256/<hex>`: content-addressed, so storing the same bytes twice is one blob. */
  blobRef: string;
  sha256: string;
  size: number;
}

export interface BlobStore {
  /** Streams the bytes in; rejects with BlobTooLargeError past `maxBytes` (nothing is kept). */
  put(source: Readable | Buffer | Uint8Array, options?: { maxBytes?: number }): Promise<StoredBlob>;
  get(blobRef: string): Promise<Readable>;
  has(blobRef: string): Promise<boolean>;
}

export const BLOB_ERROR_CODES = { tooLarge: 'BLOB.TOO_LARGE', notFound: 'BLOB.NOT_FOUND', badRef: 'BLOB.BAD_REF' } as const;

export class BlobTooLargeError extends Error {
  readonly code = BLOB_ERROR_CODES.tooLarge;
  constructor(readonly maxBytes: number) {
    super(`blob exceeds ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}
