import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inboundEventId, TOPICS, type DlqRecordData } from '@kanal/contracts';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { startConnectorX } from '../src/app';
import { collectInbound, collectTopic, dropIsolation, isolation, testConfig } from './harness';

const US = '1580001122334455667';
const SECRET = 'consumer-secret-of-the-test-app';
const read = (name: string) => readFileSync(new URL(`../src/x/__fixtures__/${name}`, import.meta.url));
const fixture = read('webhook-dm.json');
const sign = (body: Buffer | string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

let service: RunningService;
let base: string;
let iso: { prefix: string; schema: string };
let schema: string;
let inbound: Awaited<ReturnType<typeof collectInbound>>;
let dlq: Awaited<ReturnType<typeof collectTopic>>;

const post = (body: Buffer | string, headers: Record<string, string>) =>
  fetch(`${base}/webhooks/x`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

beforeAll(async () => {
  iso = await isolation();
  schema = iso.schema;
  inbound = await collectInbound(iso.prefix);
  dlq = await collectTopic(iso.prefix, TOPICS.dlq);
  service = await startConnectorX(
    testConfig({
      KAFKA_TOPIC_PREFIX: iso.prefix,
      X_DB_SCHEMA: schema,
      X_WEBHOOK_ENABLED: 'true',
      X_CONSUMER_SECRET: SECRET,
      X_ACCOUNT_ID: US,
      HTTP_BODY_LIMIT: '64kb',
    }),
    { handleSignals: false },
  );
  base = `http://127.0.0.1:${service.port}`;
});

afterAll(async () => {
  await service?.shutdown('test');
  await inbound?.stop();
  await dlq?.stop();
  if (iso) await dropIsolation(iso);
});

describe('X webhook over HTTP', () => {
  it('answers the CRC with sha256=base64(HMAC(consumer secret, crc_token))', async () => {
    const res = await fetch(`${base}/webhooks/x?crc_token=${encodeURIComponent('Zm9vYmFy+/=')}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ response_token: sign('Zm9vYmFy+/=') });
  });

  it('refuses a CRC request without crc_token', async () => {
    const res = await fetch(`${base}/webhooks/x`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'X.CRC_TOKEN_MISSING' });
  });

  it('publishes a correctly signed body and acknowledges after Kafka did', async () => {
    const res = await post(fixture, { 'x-twitter-webhooks-signature': sign(fixture) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted', events: 2, deadLetters: 0 });
    await waitFor(() => inbound.events.length >= 2, { what: 'two webhook events on Kafka' });
    expect(inbound.events.map((e) => e.id).sort()).toEqual(
      [inboundEventId('x', US, '1790000000000000020'), inboundEventId('x', US, '1790000000000000021')].sort(),
    );
  });

  it('rejects a missing or invalid signature, and one over different bytes, publishing nothing', async () => {
    const reserialized = JSON.stringify(JSON.parse(fixture.toString('utf8')));
    const cases: Array<[Response, string]> = [
      [await post(fixture, {}), 'X.SIGNATURE_MISSING'],
      [await post(fixture, { 'x-twitter-webhooks-signature': sign(fixture, 'wrong-secret') }), 'X.SIGNATURE_INVALID'],
      [await post(fixture, { 'x-twitter-webhooks-signature': 'sha256=not-base64!' }), 'X.SIGNATURE_INVALID'],
      [await post(reserialized, { 'x-twitter-webhooks-signature': sign(fixture) }), 'X.SIGNATURE_INVALID'],
    ];
    for (const [res, code] of cases) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code, message: expect.any(String) });
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/kanal_x_webhook_requests_total\{[^}]*outcome="bad-signature"[^}]*\} 4/);
    expect(inbound.events).toHaveLength(2);
  });

  it('answers 400 with a reason for a signed body that is not an Account Activity payload', async () => {
    for (const body of ['{"direct_message_events":[]}', 'not json']) {
      const res = await post(body, { 'x-twitter-webhooks-signature': sign(body) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/for_user_id|JSON/);
    }
  });

  it('dead-letters events of unknown shape with their raw items and publishes the good DM, before answering 200', async () => {
    const body = read('webhook-unknown.json');
    const json = JSON.parse(body.toString('utf8'));
    const res = await post(body, { 'x-twitter-webhooks-signature': sign(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted', events: 1, deadLetters: 2 });
    await waitFor(() => inbound.events.some((e) => e.id === inboundEventId('x', US, '1790000000000000060')), {
      what: 'the good DM on Kafka',
    });
    await waitFor(() => dlq.events.length >= 2, { what: 'two dead letters' });
    const letters = dlq.events.map((e) => e.data as DlqRecordData);
    expect(letters.map((d) => [d.code, d.item])).toEqual([
      ['X.UNKNOWN_EVENT_TYPE', 'direct_message_events[1] id 1790000000000000061'],
      ['X.UNKNOWN_EVENT_TYPE', 'direct_message_seen_events'],
    ]);
    expect(JSON.parse(letters[0]!.value)).toEqual({
      for_user_id: US,
      direct_message_events: [json.direct_message_events[1]],
      users: json.users,
    });
    expect(letters.every((d) => d.origin === 'provider' && d.provider === 'x-dm')).toBe(true);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
      /kanal_x_dead_lettered_total\{[^}]*code="X.UNKNOWN_EVENT_TYPE"[^}]*\} 2/,
    );
  });

  it('maps read receipts and counts typing indicators and follows as skips', async () => {
    for (const name of ['webhook-read.json', 'webhook-typing.json', 'webhook-follow.json']) {
      const body = read(name);
      const res = await post(body, { 'x-twitter-webhooks-signature': sign(body) });
      expect(res.status).toBe(200);
    }
    const readId = inboundEventId('x', US, '1790000000000000021', 'read');
    await waitFor(() => inbound.events.some((e) => e.id === readId), { what: 'the read status on Kafka' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const reason of ['typing-indicator', 'follow', 'own-read-receipt'])
      expect(metrics).toMatch(new RegExp(`kanal_x_skipped_total\\{[^}]*reason="${reason}"[^}]*\\} 1`));
  });

  it('dead-letters DMs for an account that is not configured, byte for byte, and skips its other activity', async () => {
    const body = JSON.stringify({ ...JSON.parse(fixture.toString('utf8')), for_user_id: '424242' });
    const res = await post(body, { 'x-twitter-webhooks-signature': sign(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted', events: 0, deadLetters: 1 });
    await waitFor(() => dlq.events.some((e) => (e.data as DlqRecordData).code === 'X.UNKNOWN_ACCOUNT'), {
      what: 'the unknown-account letter',
    });
    const letter = dlq.events.find((e) => (e.data as DlqRecordData).code === 'X.UNKNOWN_ACCOUNT')!;
    expect(letter.data).toMatchObject({ accountId: '424242', value: body, item: 'body' });

    const typing = JSON.stringify({
      ...JSON.parse(read('webhook-typing.json').toString('utf8')),
      for_user_id: '424242',
    });
    const ignored = await post(typing, { 'x-twitter-webhooks-signature': sign(typing) });
    expect(await ignored.json()).toEqual({ status: 'ignored' });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
      /kanal_x_skipped_total\{[^}]*reason="unknown-account"[^}]*\} 1/,
    );
  });
});
