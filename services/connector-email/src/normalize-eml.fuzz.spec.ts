import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, it } from '@jest/globals';
import fc from 'fast-check';
import { parseEvent } from '@kanal/contracts';
import { hostileBytes, inputCounter, mutatedBytes } from '@kanal/testing';
import { normalizeImap } from './normalize-eml';

const counter = inputCounter('connector-email parse → map → dead letter (.eml)');
const blobDir = mkdtempSync(join(tmpdir(), 'email-fuzz-'));
const env = {
  BLOB_DIR: blobDir,
  EMAIL_ACCOUNT_ID: 'support@example.test',
  EMAIL_MAX_ATTACHMENT_BYTES: '100000',
  EMAIL_MAX_MESSAGE_BYTES: '500000',
};
afterAll(() => {
  counter.report();
  rmSync(blobDir, { recursive: true, force: true });
});

const dir = join(import.meta.dirname, '__fixtures__');
const EMLS = readdirSync(dir)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => readFileSync(join(dir, f)));

/** The service's path: every input becomes valid events (a message, or a dead letter with its raw bytes); nothing throws. */
async function check(raw: Buffer) {
  counter.tick();
  const events = await normalizeImap(raw, env, { receivedAt: '2026-01-01T00:00:00.000Z' });
  if (events.length !== 1) throw new Error(`expected one event, got ${events.length}`);
  const parsed = parseEvent(JSON.parse(JSON.stringify(events[0])));
  if (!parsed.ok) throw new Error(`invalid event: ${parsed.code} ${parsed.message}`);
  if (events[0]!.type === 'kanal.dlq.record.v1' && (events[0]!.data as { size?: number }).size !== raw.length)
    throw new Error('dead letter without the raw bytes');
}

it('turns arbitrary bytes, invalid UTF-8 and 0-byte messages into a valid event or a dead letter', async () => {
  await fc.assert(fc.asyncProperty(hostileBytes, check), { seed: 9501, numRuns: 300 });
});

it('turns byte-mutated fixture messages (cut headers, broken MIME, stray 8-bit) into a valid event or a dead letter', async () => {
  await fc.assert(fc.asyncProperty(fc.oneof(...EMLS.map((b) => mutatedBytes(b))), check), { seed: 9502, numRuns: 500 });
});

it('maps header lines with huge or hostile values', async () => {
  const header = fc.record({
    name: fc.constantFrom(
      'From',
      'To',
      'Date',
      'Message-ID',
      'In-Reply-To',
      'References',
      'Subject',
      'Content-Type',
      'Reply-To',
      'Content-Transfer-Encoding',
    ),
    value: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.nat({ max: 200_000 }).map((n) => '<a@b>'.repeat(n / 5)),
    ),
  });
  const mail = fc
    .array(header, { maxLength: 6 })
    .map((hs) => Buffer.concat([Buffer.from(hs.map((h) => `${h.name}: ${h.value}\r\n`).join('')), EMLS[0]!]));
  await fc.assert(fc.asyncProperty(mail, check), { seed: 9503, numRuns: 150 });
});
