import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { expect, it } from '@jest/globals';
import { BlobTooLargeError } from './blob-store.port';
import { FsBlobStore } from './fs-blob-store';

it('stores content-addressed blobs, once per content, and refuses oversized ones without leftovers', async () => {
  const root = mkdtempSync(join(tmpdir(), 'blobs-'));
  const store = new FsBlobStore(root);
  const bytes = Buffer.from('fatura.pdf içeriği');
  const sha = createHash('sha256').update(bytes).digest('hex');
  const a = await store.put(bytes);
  const b = await store.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]));
  expect(a).toEqual({ blobRef: `blob:sha256/${sha}`, sha256: sha, size: bytes.length });
  expect(b).toEqual(a);
  expect(await buffer(await store.get(a.blobRef))).toEqual(bytes);
  await expect(store.put(Buffer.alloc(2_000), { maxBytes: 1_000 })).rejects.toBeInstanceOf(BlobTooLargeError);
  expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  await expect(store.get('blob:sha256/zz')).rejects.toMatchObject({ code: 'BLOB.BAD_REF' });
  expect(await store.has(`blob:sha256/${'0'.repeat(64)}`)).toBe(false);
});
