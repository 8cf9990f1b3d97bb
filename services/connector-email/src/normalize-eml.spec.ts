import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from '@jest/globals';
import { inboundEventId, parseEvent } from '@kanal/contracts';
import { REPO_ROOT } from '@kanal/testing';

const run = promisify(execFile);
const FIXTURE = join(REPO_ROOT, 'services/connector-email/src/__fixtures__/html-only-inline-image.eml');

it('`kanal normalize imap <file.eml>` prints the canonical event as NDJSON with a stable id', async () => {
  const env = { ...process.env, BLOB_DIR: mkdtempSync(join(tmpdir(), 'email-cli-')), EMAIL_ACCOUNT_ID: 'support@example.test' };
  const outputs = await Promise.all([1, 2].map(() => run(process.execPath, ['bin/kanal.mjs', 'normalize', 'imap', FIXTURE], { cwd: REPO_ROOT, env }))).finally(() =>
    rmSync(env.BLOB_DIR, { recursive: true, force: true }),
  );
  const [first, second] = outputs.map(({ stdout }) => stdout.trim().split('\n').map((line) => JSON.parse(line)));
  expect(first).toHaveLength(1);
  expect(parseEvent(first![0]).ok).toBe(true);
  expect(first![0]).toMatchObject({
    id: inboundEventId('email', 'support@example.test', 'html-1@example.com.tr'),
    type: 'kanal.message.received.v1',
    data: { provider: 'imap', text: 'Kargom hâlâ gelmedi.\n\nEkran görüntüsü:', conversationRef: 'html-root-1@example.test' },
  });
  expect(second![0].id).toBe(first![0].id);
});
