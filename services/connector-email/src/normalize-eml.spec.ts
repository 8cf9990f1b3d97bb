import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { inboundEventId, parseEvent, type DlqRecordData } from '@kanal/contracts';
import { REPO_ROOT } from '@kanal/testing';
import { isRetriable } from './failure';
import { normalizeImap } from './normalize-eml';

const run = promisify(execFile);
const FIXTURE = join(REPO_ROOT, 'services/connector-email/src/__fixtures__/html-only-inline-image.eml');

it('`kanal normalize imap <file.eml>` prints the canonical event as NDJSON with a stable id', async () => {
  const env = {
    ...process.env,
    BLOB_DIR: mkdtempSync(join(tmpdir(), 'email-cli-')),
    EMAIL_ACCOUNT_ID: 'support@example.test',
  };
  const outputs = await Promise.all(
    [1, 2].map(() => run(process.execPath, ['bin/kanal.mjs', 'normalize', 'imap', FIXTURE], { cwd: REPO_ROOT, env })),
  ).finally(() => rmSync(env.BLOB_DIR, { recursive: true, force: true }));
  const [first, second] = outputs.map(({ stdout }) =>
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
  );
  expect(first).toHaveLength(1);
  expect(parseEvent(first![0]).ok).toBe(true);
  expect(first![0]).toMatchObject({
    id: inboundEventId('email', 'support@example.test', 'html-1@example.com.tr'),
    type: 'kanal.message.received.v1',
    data: {
      provider: 'imap',
      text: 'Kargom hâlâ gelmedi.\n\nEkran görüntüsü:',
      conversationRef: 'html-root-1@example.test',
    },
  });
  expect(second![0].id).toBe(first![0].id);
});

describe('what the service would dead-letter', () => {
  const raw = readFileSync(join(REPO_ROOT, 'services/connector-email/src/__fixtures__/torture-over-1000-parts.eml'));
  const receivedAt = '2025-11-25T13:40:05.000Z';

  it('a message the MIME parser refuses comes out as a provider dead letter carrying the raw .eml, with the given receivedAt', async () => {
    const blobDir = mkdtempSync(join(tmpdir(), 'email-dlq-'));
    try {
      const env = { BLOB_DIR: blobDir, EMAIL_ACCOUNT_ID: 'support@example.test' };
      const [letter, ...rest] = await normalizeImap(raw, env, { receivedAt });
      expect(rest).toEqual([]);
      expect(parseEvent(JSON.parse(JSON.stringify(letter))).ok).toBe(true);
      expect(letter).toMatchObject({ type: 'kanal.dlq.record.v1', subject: 'imap:support@example.test' });
      const data = letter!.data as DlqRecordData;
      expect(data).toMatchObject({
        origin: 'provider',
        provider: 'imap',
        channel: 'email',
        accountId: 'support@example.test',
        code: 'EMAIL.PARSE_FAILED',
        contentType: 'message/rfc822',
        receivedAt,
        size: raw.length,
      });
      expect(data.message).toContain('EMAXLEN');
      expect(data.sha256).toBe(createHash('sha256').update(raw).digest('hex'));
      expect(Buffer.from(data.value, data.valueEncoding === 'base64' ? 'base64' : 'utf8').equals(raw)).toBe(true);
      // Deterministic: a redelivered message is the same record.
      expect((await normalizeImap(raw, env, { receivedAt }))[0]!.id).toBe(letter!.id);
    } finally {
      rmSync(blobDir, { recursive: true, force: true });
    }
  });

  it('a blob store that fails is retriable, never a dead letter (nothing is kept nowhere)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'email-noblob-')), 'not-a-dir');
    writeFileSync(file, '');
    try {
      const error = await normalizeImap(readFileSync(FIXTURE), {
        BLOB_DIR: file,
        EMAIL_ACCOUNT_ID: 'support@example.test',
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect([isRetriable(error), String(error)]).toEqual([true, expect.stringContaining('ENOTDIR')]);
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });
});
