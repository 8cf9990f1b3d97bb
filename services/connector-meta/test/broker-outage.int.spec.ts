import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { broker, waitFor } from '@kanal/testing';
import { normalizeWebhook } from '../src/normalize/normalize-webhook';
import { startHarness, type Harness } from './harness';

// A broker of its own: stopping the shared one would break the suites running beside this one.
const node = broker(19482, { reset: true });
let h: Harness;

beforeAll(async () => {
  await node.start();
  h = await startHarness({ KAFKA_BROKERS: node.brokers, KAFKA_PUBLISH_TIMEOUT_MS: '2000' });
}, 180_000);
afterAll(async () => {
  await h?.stop();
  await node.stop();
}, 90_000);

it('answers 503 while Kafka is down, then publishes the redelivery with the same ids', async () => {
  const raw = readFileSync(new URL('../src/whatsapp/__fixtures__/media.json', import.meta.url));
  const expected = normalizeWebhook('whatsapp-cloud', raw, { receivedAt: '2026-01-01T00:00:00.000Z' }).events.map(
    (e) => e.event.id,
  );

  await node.stop();
  const during = await h.post('/webhooks/whatsapp', raw);
  expect(during.status).toBe(503);
  expect(await during.json()).toMatchObject({ code: 'BUS.UNAVAILABLE' });
  const ready = await fetch(`${h.base}/health/ready`);
  expect(ready.status).toBe(503);

  await node.start();
  // Meta keeps redelivering the same bytes until it gets a 200.
  await waitFor(async () => (await h.post('/webhooks/whatsapp', raw)).status === 200, {
    timeoutMs: 90_000,
    intervalMs: 1_000,
    what: 'a 200 after the restart',
  });
  // The reader lived through the outage: it rejoins once its pre-restart member's session expires
  // (KAFKA_SESSION_TIMEOUT_MS, 15 s), so allow for that on a loaded machine.
  await waitFor(() => new Set(h.seen.map((e) => e.id)).size >= expected.length, {
    timeoutMs: 90_000,
    what: 'all events consumed',
  });

  const ids = h.seen.map((e) => e.id);
  expect(new Set(ids)).toEqual(new Set(expected));
  process.stdout.write(
    `broker outage: ${expected.length} events, ${ids.length} records consumed, ${ids.length - new Set(ids).size} redelivered copies\n`,
  );
}, 240_000);
