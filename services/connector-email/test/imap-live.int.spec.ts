import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FsBlobStore } from '@kanal/blob-store';
import type { MessageData } from '@kanal/contracts';
import { createPool } from '@kanal/postgres';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { startConnectorEmail } from '../src/app';
import { startDovecot, type TestDovecot } from './dovecot/dovecot';
import { collectInbound, cleanUp, isolation, MAILBOX, plainMail, testConfig, testEnv } from './harness';

let dovecot: TestDovecot;
let service: RunningService;
let inbound: Awaited<ReturnType<typeof collectInbound>>;
let iso: Awaited<ReturnType<typeof isolation>>;
const pool = createPool(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', {
  service: 'connector-email-test',
  max: 1,
});

const dataOf = (messageId: string) =>
  inbound.received.find((r) => (r.event.data as MessageData).externalId === messageId);
const metric = async (name: string) => {
  const text = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
};
const cursor = async () =>
  (
    await pool.query(
      `SELECT uid_validity, last_uid FROM "${iso.schema}".cursors WHERE account = $1 AND folder = 'INBOX'`,
      [MAILBOX],
    )
  ).rows[0];

beforeAll(async () => {
  dovecot = await startDovecot();
  iso = await isolation();
  inbound = await collectInbound(iso.prefix);
  await dovecot.deliver(MAILBOX, plainMail('boot'));
  service = await startConnectorEmail(
    testConfig(testEnv(iso, dovecot.port, { EMAIL_MAX_ATTACHMENT_BYTES: String(12 * 1024 * 1024) })),
    { handleSignals: false },
  );
  await waitFor(() => dataOf('msg-boot@example.com'), {
    what: 'the message already in the mailbox',
    timeoutMs: 20_000,
  });
});

afterAll(async () => {
  await service?.shutdown('test');
  await inbound?.stop();
  await dovecot?.stop();
  await cleanUp(iso);
  await pool.end();
});

describe('connector-email against a real Dovecot', () => {
  it('is ready and delivers a live message through IDLE to Kafka', async () => {
    expect((await fetch(`http://127.0.0.1:${service.port}/health/ready`)).status).toBe(200);
    await waitFor(async () => (await metric('kanal_email_connected')) === 1, { what: 'connected gauge' });
    const saving = Date.now();
    await dovecot.deliver(MAILBOX, plainMail('live'));
    // The clock starts once the message is in the mailbox (doveadm save itself takes 0.1–0.4 s here).
    const stored = Date.now();
    // The safety poll is 60 s away (testEnv), far past this deadline: only IDLE's `exists` can
    // bring the message in time. The latency is reported, not asserted (a shared box is no clock).
    const got = await waitFor(() => dataOf('msg-live@example.com'), {
      what: 'live message',
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    console.log(
      `[connector-email] IDLE delivery → Kafka latency: ${got.at - stored} ms (${got.at - saving} ms including doveadm save)`,
    );
    expect(got.event.data).toMatchObject({
      channel: 'email',
      provider: 'imap',
      accountId: MAILBOX,
      sender: { displayName: 'Müşteri live' },
    });
  });

  it('reconnects with a fresh client after the server kicks it and keeps delivering', async () => {
    const before = await metric('kanal_email_reconnects_total');
    await waitFor(async () => (await metric('kanal_email_connected')) === 1, { what: 'a live session to kick' });
    await dovecot.kick(MAILBOX);
    await waitFor(async () => (await metric('kanal_email_reconnects_total')) > before, { what: 'a reconnect' });
    await dovecot.deliver(MAILBOX, plainMail('after-kick'));
    await waitFor(() => dataOf('msg-after-kick@example.com'), { what: 'message after the kick', timeoutMs: 10_000 });
  });

  it('resyncs safely after a UIDVALIDITY change: nothing lost, nothing published twice', async () => {
    const old = await cursor();
    await dovecot.setUidValidity(MAILBOX, 'INBOX', Number(old.uid_validity) + 1000);
    await waitFor(async () => (await metric('kanal_email_connected')) === 1, { what: 'a live session to kick' });
    await dovecot.kick(MAILBOX); // the new value is only visible after a fresh SELECT
    await dovecot.deliver(MAILBOX, plainMail('after-reset'));
    await waitFor(() => dataOf('msg-after-reset@example.com'), { what: 'message after the reset', timeoutMs: 15_000 });
    await waitFor(async () => (await cursor()).uid_validity === String(Number(old.uid_validity) + 1000), {
      what: 'cursor on the new UIDVALIDITY',
    });
    expect(await metric('kanal_email_uidvalidity_resyncs_total')).toBe(1);
    const ids = inbound.received.map((r) => r.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(4);
  });

  it('streams a 10 MB attachment into the blob store under the cap with bounded memory', async () => {
    const bytes = randomBytes(10 * 1024 * 1024);
    const raw =
      `From: Big <big@example.com>\r\nTo: ${MAILBOX}\r\nSubject: big\r\nMessage-ID: <big-1@example.com>\r\nDate: Mon, 24 Nov 2025 10:00:00 +0000\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n` +
      `--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
      `${bytes.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--b--\r\n`;
    await dovecot.deliver(MAILBOX, raw);
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const got = await waitFor(() => dataOf('big-1@example.com'), {
      what: 'the 10 MB message',
      timeoutMs: 30_000,
    }).finally(() => clearInterval(sampler));
    const [attachment] = (got.event.data as MessageData).attachments;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(attachment).toMatchObject({ name: 'big.bin', size: bytes.length, sha256, blobRef: `blob:sha256/${sha256}` });
    expect(await new FsBlobStore(iso.blobDir).has(attachment!.blobRef!)).toBe(true);
    const growthMb = (peak - base) / 1024 / 1024;
    console.log(
      `[connector-email] 10 MB attachment: RSS ${Math.round(base / 1048576)} → peak ${Math.round(peak / 1048576)} MB (+${growthMb.toFixed(1)} MB)`,
    );
    expect(growthMb).toBeLessThan(120);
  });
});
