import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { TOPICS, type DlqRecordData, type MessageData } from '@kanal/contracts';
import { createPool } from '@kanal/postgres';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { startConnectorEmail } from '../src/app';
import { normalizeImap } from '../src/normalize-eml';
import { startDovecot, type TestDovecot } from './dovecot/dovecot';
import { collectInbound, cleanUp, DATABASE_URL, isolation, MAILBOX, plainMail, testConfig, testEnv } from './harness';

// A real message the MIME parser refuses (one part more than its 1000), not a stand-in.
const REFUSED = readFileSync(join(import.meta.dirname, '../src/__fixtures__/torture-over-1000-parts.eml'));

let dovecot: TestDovecot;
let service: RunningService;
let inbound: Awaited<ReturnType<typeof collectInbound>>;
let dlq: Awaited<ReturnType<typeof collectInbound>>;
let iso: Awaited<ReturnType<typeof isolation>>;
const pool = createPool(DATABASE_URL, { service: 'connector-email-test', max: 1 });

beforeAll(async () => {
  dovecot = await startDovecot();
  iso = await isolation();
  inbound = await collectInbound(iso.prefix);
  dlq = await collectInbound(iso.prefix, TOPICS.dlq);
  await dovecot.deliver(MAILBOX, plainMail('before'));
  await dovecot.deliver(MAILBOX, REFUSED);
  await dovecot.deliver(MAILBOX, plainMail('after'));
  service = await startConnectorEmail(testConfig(testEnv(iso, dovecot.port)), { handleSignals: false });
});

afterAll(async () => {
  await service?.shutdown('test');
  await inbound?.stop();
  await dlq?.stop();
  await dovecot?.stop();
  await cleanUp(iso);
  await pool.end();
});

it('dead-letters a message the parser cannot handle with its raw bytes, moves the cursor past it and publishes the next one', async () => {
  const ids = () => inbound.received.map((r) => (r.event.data as MessageData).externalId);
  await waitFor(() => ids().includes('msg-after@example.com'), {
    what: 'the message after the refused one',
    timeoutMs: 20_000,
  });
  const [letter] = await waitFor(() => (dlq.received.length > 0 ? dlq.received : undefined), {
    what: 'the dead letter',
    timeoutMs: 10_000,
  });
  expect(ids().sort()).toEqual(['msg-after@example.com', 'msg-before@example.com']);

  const data = letter!.event.data as DlqRecordData;
  expect(letter!.event.type).toBe('kanal.dlq.record.v1');
  expect(data).toMatchObject({
    origin: 'provider',
    provider: 'imap',
    channel: 'email',
    accountId: MAILBOX,
    code: 'EMAIL.PARSE_FAILED',
    contentType: 'message/rfc822',
  });
  expect(data.item).toMatch(/^mailbox support@example\.test folder INBOX uidvalidity \d+ uid 2$/);
  // The bytes as the server holds them: exactly the message delivered.
  const payload = Buffer.from(data.value, data.valueEncoding === 'base64' ? 'base64' : 'utf8');
  expect(createHash('sha256').update(payload).digest('hex')).toBe(createHash('sha256').update(REFUSED).digest('hex'));
  expect(data.sha256).toBe(createHash('sha256').update(REFUSED).digest('hex'));

  // The page is published before its cursor is saved (the order that loses nothing), so the
  // cursor can lag the events seen a moment: polled, not read once.
  const lastUid = async () =>
    Number(
      (
        await pool.query(`SELECT last_uid FROM "${iso.schema}".cursors WHERE account = $1 AND folder = 'INBOX'`, [
          MAILBOX,
        ])
      ).rows[0]?.last_uid ?? 0,
    );
  await waitFor(async () => (await lastUid()) >= 3, { what: 'the cursor past the third message' });
  expect(await lastUid()).toBe(3);
  // Counted after the cursor is saved: polled like the cursor.
  const deadLettered = /kanal_email_dead_lettered_total\{[^}]*code="EMAIL\.PARSE_FAILED"[^}]*\} 1/;
  await waitFor(async () => deadLettered.test(await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text()), {
    what: 'kanal_email_dead_lettered_total{code="EMAIL.PARSE_FAILED"} 1',
  });

  // `kanal dlq replay` runs the same path: today's mapper still refuses it, as the same record.
  const replayed = await normalizeImap(
    payload,
    { BLOB_DIR: iso.blobDir, EMAIL_ACCOUNT_ID: MAILBOX },
    { receivedAt: data.receivedAt },
  );
  expect(replayed.map((e) => [e.type, e.id])).toEqual([['kanal.dlq.record.v1', letter!.event.id]]);
});
