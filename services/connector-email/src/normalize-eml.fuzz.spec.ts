import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { exceededLimit, parseEvent, storableMessage, type MessageData } from '@kanal/contracts';
import { fuzzRuns, fuzzTimeout, hostileBytes, inputCounter, mutatedBytes } from '@kanal/testing';
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
  if (events[0]!.type === 'kanal.dlq.record.v1') {
    if ((events[0]!.data as { size?: number }).size !== raw.length)
      throw new Error('dead letter without the raw bytes');
    return;
  }
  // Within the size caps and nothing the database refuses (toStorableInbound ran on it).
  const tooLarge = exceededLimit(events[0]!.data as MessageData, '');
  if (tooLarge) throw new Error(`event over a cap: ${JSON.stringify(tooLarge)}`);
  const issues = storableMessage(events[0]!.data).issues;
  if (issues.length > 0) throw new Error(`unstorable event: ${JSON.stringify(issues.map((i) => i.path))}`);
}

it(
  'turns arbitrary bytes, invalid UTF-8 and 0-byte messages into a valid event or a dead letter',
  async () => {
    await fc.assert(fc.asyncProperty(hostileBytes, check), { seed: 9501, numRuns: fuzzRuns(300) });
  },
  fuzzTimeout(),
);

it(
  'turns byte-mutated fixture messages (cut headers, broken MIME, stray 8-bit) into a valid event or a dead letter',
  async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(...EMLS.map((b) => mutatedBytes(b))), check), {
      seed: 9502,
      numRuns: fuzzRuns(500),
    });
  },
  fuzzTimeout(),
);

it(
  'maps header lines with huge or hostile values',
  async () => {
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
    await fc.assert(fc.asyncProperty(mail, check), { seed: 9503, numRuns: fuzzRuns(150) });
  },
  fuzzTimeout(),
);

it(
  'cuts bodies of any size up to 2 MB to the caps, between characters, keeping the whole message as original.eml',
  async () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      fc.constantFrom('ş', '😀', '"', '\\', '\t', '> alıntı\r\n', '🇹🇷', 'e\u0301'),
    );
    const mail = fc.tuple(piece, fc.integer({ min: 1, max: 2_000_000 }), fc.boolean()).map(([p, bytes, html]) => {
      const body = p.repeat(Math.ceil(bytes / Buffer.byteLength(p)));
      const head = EMLS[0]!
        .subarray(0, EMLS[0]!.indexOf('\r\n\r\n'))
        .toString('latin1')
        .replace(/^Content-Type:.*$/im, '');
      const type = html ? 'text/html' : 'text/plain';
      return Buffer.concat([
        Buffer.from(
          `${head}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
          'latin1',
        ),
        Buffer.from(html ? `<p>${body}</p>` : body, 'utf8'),
      ]);
    });
    let cut = 0;
    await fc.assert(
      fc.asyncProperty(mail, async (raw) => {
        await check(raw);
        const [event] = await normalizeImap(raw, env, { receivedAt: '2026-01-01T00:00:00.000Z' });
        const data = event!.data as MessageData;
        if (event!.type === 'kanal.dlq.record.v1' || !data.flags?.['textTruncated']) return;
        cut++;
        expect(data.attachments.at(-1)).toMatchObject({ name: 'original.eml', size: raw.length });
        // Valid UTF-8 in, so a repaired character could only come from a cut inside a surrogate pair.
        expect(data.flags['textSanitized']).toBeUndefined();
      }),
      { seed: 9504, numRuns: fuzzRuns(25) },
    );
    expect(cut).toBeGreaterThan(0);
  },
  fuzzTimeout(),
);
