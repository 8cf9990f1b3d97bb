import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from '@jest/globals';
import { FsBlobStore } from '@kanal/blob-store';
import {
  exceededLimit,
  jsonBytes,
  FULL_TEXT_MAX_BYTES,
  parseEvent,
  storableMessage,
  TEXT_MAX_BYTES,
  type CloudEvent,
  type MessageData,
} from '@kanal/contracts';
import { mapMessage, ORIGINAL_NAME, type MapContext } from './map-message';
import { normalizeImap } from './normalize-eml';
import { parseMail } from './mime/parse-mail';
import { MemoryThreadIndex } from './threading/thread-index';

// A real-shaped message (the english-reply fixture's headers) carrying what the database cannot
// store or the broker cannot carry: it is already in the mailbox, so it is kept, cut and flagged,
// and a cut body references the whole .eml in the blob store.
const ACCOUNT = 'support@example.test';
const blobDir = mkdtempSync(join(tmpdir(), 'email-storable-'));
const blobs = new FsBlobStore(blobDir);
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));
const receivedAt = new Date('2026-11-25T08:00:00.000Z');
const internalDate = new Date('2026-11-25T07:59:00.000Z');

const FIXTURE = readFileSync(join(import.meta.dirname, '__fixtures__', 'english-reply-signature.eml'), 'latin1');
/** The fixture's headers with some replaced, and a UTF-8 body. */
function eml(body: string, headers: Record<string, string> = {}): Buffer {
  let head = FIXTURE.slice(0, FIXTURE.indexOf('\r\n\r\n')).replace(
    /^Content-Type:.*$/m,
    'Content-Type: text/plain; charset=utf-8',
  );
  for (const [name, value] of Object.entries(headers))
    head = head.replace(new RegExp(`^${name}:.*$`, 'm'), `${name}: ${value}`);
  return Buffer.concat([
    Buffer.from(`${head}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`, 'utf8'),
    Buffer.from(body, 'utf8'),
  ]);
}

/** ~1 MB: Turkish, emoji (a surrogate pair at every cut offset across the lines) and quotes. */
const BIG_BODY = Array.from(
  { length: 21_000 },
  (_, i) => `Satır ${i}: sipariş "hâlâ" gelmedi 📦${'ş'.repeat(i % 4)}\r\n`,
).join('');

async function map(raw: Buffer, ctx: Partial<MapContext> = {}) {
  const mail = await parseMail(raw, {
    blobs,
    maxAttachmentBytes: 1_000_000,
    maxMessageBytes: 5_000_000,
    fallbackCharset: 'windows-1254',
  });
  const { event } = await mapMessage(mail, {
    account: ACCOUNT,
    preferReplyTo: false,
    receivedAt,
    internalDate,
    threads: new MemoryThreadIndex(),
    threadWindowDays: 14,
    storeOriginal: () => blobs.put(raw),
    ...ctx,
  });
  expectPublishable(event);
  return event.data as MessageData;
}

/** What every published event must pass: within the size caps, nothing the database refuses, the contract. */
function expectPublishable(event: CloudEvent) {
  expect(exceededLimit(event.data as MessageData, '')).toBeUndefined();
  expect(storableMessage(event.data).issues).toEqual([]);
  const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
  if (!parsed.ok) throw new Error(`${parsed.code} ${parsed.message}`);
}

describe('connector-email publishes only storable, bounded events', () => {
  it('cuts a 1 MB body to the caps, flags it and attaches the whole .eml from the blob store; a year-9999 Date falls back', async () => {
    const raw = eml(BIG_BODY, { Date: 'Fri, 31 Dec 9999 23:59:59 +0000' });
    expect(raw.length).toBeGreaterThan(1_000_000);
    const data = await map(raw);
    // As much as fits, short of the cap only by the character the cut would have split.
    expect(jsonBytes(data.fullText)).toBeLessThanOrEqual(FULL_TEXT_MAX_BYTES);
    expect(jsonBytes(data.fullText)).toBeGreaterThan(FULL_TEXT_MAX_BYTES - 64);
    expect(jsonBytes(data.text)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
    expect(BIG_BODY.replace(/\r\n/g, '\n').startsWith(data.fullText!)).toBe(true);
    expect(data.flags).toMatchObject({ textTruncated: true, truncated: true, dateFallback: true });
    expect(data.flags?.['textSanitized']).toBeUndefined(); // cut between characters, nothing repaired
    expect(data.occurredAt).toBe(internalDate.toISOString());
    const original = data.attachments.find((a) => a.name === ORIGINAL_NAME)!;
    expect(original).toEqual({
      kind: 'other',
      mimeType: 'message/rfc822',
      name: ORIGINAL_NAME,
      size: raw.length,
      sha256: createHash('sha256').update(raw).digest('hex'),
      blobRef: `blob:sha256/${createHash('sha256').update(raw).digest('hex')}`,
    });
    expect((await buffer(await blobs.get(original.blobRef!))).equals(raw)).toBe(true);
  });

  it('keeps a small body whole and stores nothing; a Date more than a day ahead falls back to INTERNALDATE', async () => {
    const stored: string[] = [];
    const data = await map(eml('Kargo nerede?\r\n', { Date: 'Mon, 1 Jan 2150 10:00:00 +0000' }), {
      storeOriginal: async () => {
        stored.push('called');
        return blobs.put(Buffer.from('x'));
      },
    });
    expect(data.text).toBe('Kargo nerede?');
    expect(data.attachments).toEqual([]);
    expect(stored).toEqual([]);
    expect(data).toMatchObject({ occurredAt: internalDate.toISOString(), flags: { dateFallback: true } });
  });

  it('reads a From with a NUL as the address without it, and cuts a Message-ID between characters', async () => {
    const longId = `${'a'.repeat(997)}😀@example.com`; // the 998-unit cut falls inside the emoji
    const data = await map(
      eml('Merhaba\u0000\r\n', { From: 'Ay\u0000şe <ay\u0000se@example.com>', 'Message-ID': `<${longId}>` }),
    );
    expect(data.sender).toEqual({ displayName: 'Ayşe', identities: [{ type: 'email', value: 'ayse@example.com' }] });
    expect(data.text).toBe('Merhaba');
    expect(data.externalId === 'a'.repeat(997)).toBe(true);
  });

  it('keeps a message whose parsed From cannot be stored, without that identity (identityFallback)', async () => {
    const mail = await parseMail(eml('Merhaba\r\n'), {
      blobs,
      maxAttachmentBytes: 1_000,
      maxMessageBytes: 10_000,
      fallbackCharset: 'windows-1254',
    });
    mail.from = { name: 'Ayşe', address: 'ay\uD800se@example.com' }; // what no decoder should ever give
    const { event } = await mapMessage(mail, {
      account: ACCOUNT,
      preferReplyTo: false,
      receivedAt,
      threads: new MemoryThreadIndex(),
      threadWindowDays: 14,
    });
    expectPublishable(event);
    expect(event.data.sender).toEqual({ displayName: 'Ayşe', identities: [] });
    expect(event.data.flags).toMatchObject({ identityFallback: true });
  });

  it('`kanal normalize imap` publishes the same cut event with the same blob reference', async () => {
    const raw = eml(BIG_BODY);
    const [event] = await normalizeImap(
      raw,
      { BLOB_DIR: blobDir, EMAIL_ACCOUNT_ID: ACCOUNT },
      { receivedAt: receivedAt.toISOString() },
    );
    expect(event!.type).toBe('kanal.message.received.v1');
    expectPublishable(event!);
    const data = event!.data as MessageData;
    expect(data.flags).toMatchObject({ textTruncated: true });
    expect(data.attachments.at(-1)?.blobRef).toBe(`blob:sha256/${createHash('sha256').update(raw).digest('hex')}`);
  });
});
