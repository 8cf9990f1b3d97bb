import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { inboundEventId, type MessageData } from '@kanal/contracts';
import { createPool } from '@kanal/postgres';
import { REPO_ROOT, waitFor } from '@kanal/testing';
import { startConnectorEmail } from '../src/app';
import { startDovecot, type TestDovecot } from './dovecot/dovecot';
import { collectInbound, DATABASE_URL, cleanUp, isolation, MAILBOX, plainMail, testConfig, testEnv } from './harness';

const TOTAL = 600;
let dovecot: TestDovecot;
let inbound: Awaited<ReturnType<typeof collectInbound>>;
let iso: Awaited<ReturnType<typeof isolation>>;
const pool = createPool(DATABASE_URL, { service: 'connector-email-test', max: 1 });

beforeAll(async () => {
  dovecot = await startDovecot();
  iso = await isolation();
  inbound = await collectInbound(iso.prefix);
  await dovecot.deliverMany(
    MAILBOX,
    Array.from({ length: TOTAL }, (_, i) =>
      plainMail(i, i % 3 === 0 ? `In-Reply-To: <msg-${i - 1}@example.com>\r\n` : ''),
    ),
  );
});

afterAll(async () => {
  await inbound?.stop();
  await dovecot?.stop();
  await cleanUp(iso);
  await pool.end();
});

it('a connector killed (SIGKILL) mid-backlog and restarted publishes every message exactly once as a distinct event', async () => {
  const env = testEnv(iso, dovecot.port, { EMAIL_PAGE_SIZE: '25' });
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services/connector-email/src/main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitFor(() => inbound.received.length >= 100, { what: 'the first pages', timeoutMs: 40_000, intervalMs: 5 });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  const atKill = inbound.received.length;
  expect(atKill).toBeLessThan(TOTAL); // really killed mid-backlog

  const service = await startConnectorEmail(testConfig(env), { handleSignals: false });
  try {
    await waitFor(() => new Set(inbound.received.map((r) => r.event.id)).size >= TOTAL, {
      what: 'every message',
      timeoutMs: 60_000,
    });
    // The last page is published before its cursor is saved: the cursor is polled, not read once.
    const lastUid = async () =>
      Number(
        (await pool.query(`SELECT last_uid FROM "${iso.schema}".cursors WHERE account = $1`, [MAILBOX])).rows[0]
          ?.last_uid ?? 0,
      );
    await waitFor(async () => (await lastUid()) >= TOTAL, { what: 'the cursor at the last message' });
    expect(await lastUid()).toBe(TOTAL);
  } finally {
    await service.shutdown('test');
  }
  const byId = new Map(inbound.received.map((r) => [r.event.id, r.event.data as MessageData]));
  expect(byId.size).toBe(TOTAL);
  const expected = Array.from({ length: TOTAL }, (_, i) =>
    inboundEventId('email', MAILBOX, `msg-${i}@example.com`),
  ).sort();
  expect([...byId.keys()].sort()).toEqual(expected);
  // A reply's parent may sit on the other side of the kill: threading still resolves it.
  expect(byId.get(inboundEventId('email', MAILBOX, 'msg-3@example.com'))!.conversationRef).toBe('msg-2@example.com');
  console.log(
    `[connector-email] killed after ${atKill} events; ${inbound.received.length - TOTAL} redelivered duplicate(s) (same event id)`,
  );
});
