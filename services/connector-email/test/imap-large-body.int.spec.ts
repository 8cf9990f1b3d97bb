import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FsBlobStore } from '@kanal/blob-store';
import {
  exceededLimit,
  FULL_TEXT_MAX_BYTES,
  jsonBytes,
  storableMessage,
  TEXT_MAX_BYTES,
  type MessageData,
} from '@kanal/contracts';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { startConnectorEmail } from '../src/app';
import { ORIGINAL_NAME } from '../src/map-message';
import { startDovecot, type TestDovecot } from './dovecot/dovecot';
import { collectInbound, cleanUp, isolation, MAILBOX, plainMail, testConfig, testEnv } from './harness';

// A ~1 MB body through the real path (Dovecot → streamed fetch → parse → map → Kafka): the event
// must fit every cap, say it was cut, and name the whole message kept in the blob store.
const LINES = Array.from({ length: 22_000 }, (_, i) => `Satır ${i}: siparişim "hâlâ" gelmedi 📦\r\n`).join('');
const BIG = Buffer.from(
  `From: =?UTF-8?Q?Ay=C5=9Fe?= <ayse@example.com>\r\nTo: ${MAILBOX}\r\nSubject: Uzun mesaj\r\n` +
    `Message-ID: <big-1@example.com>\r\nDate: Mon, 24 Nov 2025 10:00:00 +0300\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${LINES}`,
  'utf8',
);

let dovecot: TestDovecot;
let service: RunningService;
let inbound: Awaited<ReturnType<typeof collectInbound>>;
let iso: Awaited<ReturnType<typeof isolation>>;

beforeAll(async () => {
  dovecot = await startDovecot();
  iso = await isolation();
  inbound = await collectInbound(iso.prefix);
  await dovecot.deliver(MAILBOX, BIG);
  await dovecot.deliver(MAILBOX, plainMail('after-big'));
  service = await startConnectorEmail(testConfig(testEnv(iso, dovecot.port)), { handleSignals: false });
});

afterAll(async () => {
  await service?.shutdown('test');
  await inbound?.stop();
  await dovecot?.stop();
  await cleanUp(iso);
});

it('publishes a ~1 MB message cut to the caps, flagged, with a blob reference to the whole original', async () => {
  expect(BIG.length).toBeGreaterThan(1_000_000);
  const events = await waitFor(
    () => {
      const found = inbound.received.map((r) => r.event);
      const ids = found.map((e) => (e.data as MessageData).externalId);
      return ids.includes('big-1@example.com') && ids.includes('msg-after-big@example.com') ? found : undefined;
    },
    { what: 'the large message and the one after it', timeoutMs: 30_000 },
  );
  const event = events.find((e) => (e.data as MessageData).externalId === 'big-1@example.com')!;
  const data = event.data as MessageData;
  expect(exceededLimit(data, '')).toBeUndefined();
  expect(storableMessage(data).issues).toEqual([]);
  expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(1_000_000);
  expect(jsonBytes(data.fullText)).toBeLessThanOrEqual(FULL_TEXT_MAX_BYTES);
  expect(jsonBytes(data.text)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
  expect(LINES.replace(/\r\n/g, '\n').startsWith(data.fullText!)).toBe(true);
  expect(data.flags).toMatchObject({ textTruncated: true, truncated: true });

  // The whole message as the server holds it: exactly the bytes delivered.
  const original = data.attachments.find((a) => a.name === ORIGINAL_NAME)!;
  const sha256 = createHash('sha256').update(BIG).digest('hex');
  expect(original).toEqual({
    kind: 'other',
    mimeType: 'message/rfc822',
    name: ORIGINAL_NAME,
    size: BIG.length,
    sha256,
    blobRef: `blob:sha256/${sha256}`,
  });
  const stored = await buffer(await new FsBlobStore(iso.blobDir).get(original.blobRef!));
  expect(stored.equals(BIG)).toBe(true);

  // The small message after it is whole, with nothing attached.
  const after = events.find((e) => (e.data as MessageData).externalId === 'msg-after-big@example.com')!
    .data as MessageData;
  expect(after.flags?.['textTruncated']).toBeUndefined();
  expect(after.attachments).toEqual([]);
});
