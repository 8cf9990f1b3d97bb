import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, it } from '@jest/globals';
import fc from 'fast-check';
import { FsBlobStore } from '@kanal/blob-store';
import { parseEvent } from '@kanal/contracts';
import { hostileBytes, inputCounter, mutatedBytes } from '@kanal/testing';
import { mapMessage } from './map-message';
import { parseMail } from './mime/parse-mail';
import { MemoryThreadIndex } from './threading/thread-index';

const counter = inputCounter('connector-email parseMail + mapMessage (.eml)');
const blobDir = mkdtempSync(join(tmpdir(), 'email-fuzz-'));
const limits = { blobs: new FsBlobStore(blobDir), maxAttachmentBytes: 100_000, maxMessageBytes: 500_000, fallbackCharset: 'windows-1254' };
afterAll(() => {
  counter.report();
  rmSync(blobDir, { recursive: true, force: true });
});

const dir = join(import.meta.dirname, '__fixtures__');
const EMLS = readdirSync(dir)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => readFileSync(join(dir, f)));

/** The service's parse → map path: a valid event, or an error with an EMAIL.* code (skipped and counted). */
async function check(raw: Buffer) {
  counter.tick();
  try {
    const mail = await parseMail(raw, limits);
    const { event } = await mapMessage(mail, {
      account: 'support@example.test',
      preferReplyTo: false,
      receivedAt: new Date('2026-01-01T00:00:00Z'),
      threads: new MemoryThreadIndex(),
      threadWindowDays: 14,
    });
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    if (!parsed.ok) throw new Error(`invalid event: ${parsed.code} ${parsed.message}`);
  } catch (error) {
    if (/^EMAIL\./.test(String((error as { code?: unknown }).code))) return;
    throw error;
  }
}

it('maps arbitrary bytes, invalid UTF-8 and 0-byte messages to a valid event or a coded skip', async () => {
  await fc.assert(fc.asyncProperty(hostileBytes, check), { seed: 9501, numRuns: 300 });
});

it('maps byte-mutated fixture messages (cut headers, broken MIME, stray 8-bit) to a valid event or a coded skip', async () => {
  await fc.assert(fc.asyncProperty(fc.oneof(...EMLS.map((b) => mutatedBytes(b))), check), { seed: 9502, numRuns: 500 });
});

it('maps header lines with huge or hostile values', async () => {
  const header = fc.record({
    name: fc.constantFrom('From', 'To', 'Date', 'Message-ID', 'In-Reply-To', 'References', 'Subject', 'Content-Type', 'Reply-To', 'Content-Transfer-Encoding'),
    value: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat({ max: 200_000 }).map((n) => '<a@b>'.repeat(n / 5))),
  });
  const mail = fc.array(header, { maxLength: 6 }).map((hs) => Buffer.concat([Buffer.from(hs.map((h) => `${h.name}: ${h.value}\r\n`).join('')), EMLS[0]!]));
  await fc.assert(fc.asyncProperty(mail, check), { seed: 9503, numRuns: 150 });
});
