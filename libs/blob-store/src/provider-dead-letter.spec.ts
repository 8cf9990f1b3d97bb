import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { expect, it } from '@jest/globals';
import { FsBlobStore } from './fs-blob-store';
import { deadLetterWithBlob } from './provider-dead-letter';

const input = {
  source: 'kanal/connector-email',
  provider: 'imap' as const,
  accountId: 'destek@example.com',
  code: 'EMAIL.UNPARSEABLE',
  message: 'MIME parser failed',
  contentType: 'message/rfc822',
  receivedAt: '2026-12-03T10:00:00.000Z',
};

it('stores a payload too large to carry in the blob store, whole, and names it', async () => {
  const store = new FsBlobStore(mkdtempSync(join(tmpdir(), 'dlq-blobs-')));
  const payload = Buffer.from(`Subject: big\r\n\r\n${'"'.repeat(700_000)}`);
  const event = await deadLetterWithBlob({ ...input, payload }, store);
  expect(event.data.blobRef).toMatch(/^blob:sha256\/[0-9a-f]{64}$/);
  expect(event.data.value).toBe('');
  expect(event.data.truncated).toBeUndefined();
  expect(await buffer(await store.get(event.data.blobRef!))).toEqual(payload);
});

it('keeps small payloads inline and leaves the blob store alone', async () => {
  const event = await deadLetterWithBlob({ ...input, payload: 'Subject: hi\r\n\r\nmerhaba' }, undefined);
  expect(event.data).toMatchObject({ value: 'Subject: hi\r\n\r\nmerhaba', valueEncoding: 'utf8' });
  expect(event.data.blobRef).toBeUndefined();
});
