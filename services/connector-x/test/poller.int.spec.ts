import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inboundEventId, TOPICS, type CloudEvent, type DlqRecordData } from '@kanal/contracts';
import { createPool } from '@kanal/postgres';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { startConnectorX } from '../src/app';
import type { Config } from '../src/config';
import { FakeXApi, type FakeDm } from './fake-x-api';
import { collectInbound, collectTopic, DATABASE_URL, dropIsolation, isolation, testConfig } from './harness';
import { selfSignedCert } from './self-signed-cert';

const US = '1580001122334455667';
const CUSTOMER = '98765432';
const idOf = (n: number) => String(1790000000000000000n + BigInt(n));
const dm = (n: number): FakeDm => ({
  id: idOf(n),
  senderId: n % 4 === 0 ? US : CUSTOMER,
  conversationId: `${CUSTOMER}-${US}`,
  text: `message ${n}`,
  createdAt: new Date(Date.UTC(2026, 10, 20) + n * 1_000).toISOString(),
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const fake = new FakeXApi(selfSignedCert());
const pool = createPool(DATABASE_URL, { service: 'connector-x-test', max: 1 });
let config: Config;
let iso: { prefix: string; schema: string };
let schema: string;
let service: RunningService | undefined;
let inbound: Awaited<ReturnType<typeof collectInbound>>;
let dlq: Awaited<ReturnType<typeof collectTopic>>;

const start = async () => (service = await startConnectorX(config, { handleSignals: false }));
const stop = async () => {
  await service?.shutdown('test');
  service = undefined;
};
const externalId = (e: CloudEvent): string => (e.data as { externalId: string }).externalId;
const countsById = () => {
  const counts = new Map<string, number>();
  for (const e of inbound.events) counts.set(externalId(e), (counts.get(externalId(e)) ?? 0) + 1);
  return counts;
};
const cursor = async () =>
  (await pool.query(`SELECT last_event_id, backfill_token FROM "${schema}".poll_cursor WHERE account_id = $1`, [US]))
    .rows[0] as { last_event_id: string | null; backfill_token: string | null } | undefined;
const metricsText = async () => (await fetch(`http://127.0.0.1:${service!.port}/metrics`)).text();
/** Counters move after the publish a test waits for: polled until the series reads as expected. */
const metricMatches = (series: RegExp) =>
  waitFor(async () => series.test(await metricsText()), { what: `metrics matching ${series}` });

/** Every DM 1..n published exactly once (no gaps, no duplicates), with its deterministic id. */
function expectExactlyOnce(n: number) {
  const counts = countsById();
  expect([...counts.keys()].sort()).toEqual(range(1, n).map(idOf).sort());
  expect([...counts.values()].every((c) => c === 1)).toBe(true);
  for (const e of inbound.events) expect(e.id).toBe(inboundEventId('x', US, externalId(e)));
}

beforeAll(async () => {
  const baseUrl = await fake.start();
  iso = await isolation();
  schema = iso.schema;
  inbound = await collectInbound(iso.prefix);
  dlq = await collectTopic(iso.prefix, TOPICS.dlq);
  config = testConfig({
    KAFKA_TOPIC_PREFIX: iso.prefix,
    X_DB_SCHEMA: schema,
    X_ACCOUNTS: US,
    [`X_ACCESS_TOKEN_${US}`]: 'user-context-token',
    X_API_BASE_URL: baseUrl,
    X_API_CA_FILE: fake.certFile,
    X_POLL_INTERVAL_MS: '100',
    X_PAGE_SIZE: '5',
  });
});

afterAll(async () => {
  await stop();
  await inbound?.stop();
  await dlq?.stop();
  await fake.stop();
  await pool.end();
  if (iso) await dropIsolation(iso);
});

describe('connector-x poller against a local HTTPS stand-in for X', () => {
  it('pages back to the stored cursor, skipping events that overlapping pages repeat', async () => {
    fake.add(...range(1, 12).map(dm));
    await start();
    await waitFor(async () => (await cursor())?.last_event_id === idOf(12), {
      what: 'first run to reach the end',
      timeoutMs: 30_000,
    });
    await waitFor(() => countsById().size === 12, { what: '12 events', timeoutMs: 30_000 });
    expect(fake.requests[0]!.authorization).toBe('Bearer user-context-token');
    expect(fake.requests[0]!.query.get('dm_event.fields')).toContain('dm_conversation_id');

    // 13..19 arrive; while the next run reads its first page, 20 arrives too, shifting page 2 by one.
    let armed = true;
    fake.afterPage = (token) => {
      if (armed && token === null) {
        armed = false;
        fake.add(dm(20));
      }
    };
    fake.add(...range(13, 19).map(dm));
    await waitFor(async () => (await cursor())?.last_event_id === idOf(20), {
      what: 'cursor at 20',
      timeoutMs: 30_000,
    });
    await waitFor(() => countsById().size === 20, { what: '20 events', timeoutMs: 30_000 });
    fake.afterPage = undefined;
    expectExactlyOnce(20);
    expect(fake.requests.some((r) => r.query.get('pagination_token'))).toBe(true);
    await metricMatches(/kanal_x_overlap_skipped_total\{[^}]*\} [1-9]/);
    const byId = new Map(inbound.events.map((e) => [externalId(e), e]));
    expect(byId.get(idOf(4))!.type).toBe('kanal.message.sent.v1');
    expect(byId.get(idOf(5))!.type).toBe('kanal.message.received.v1');
  });

  // When the next request may go out after a 429 is pinned on a fake clock in dm-poller.spec.ts.
  it('recovers from a 429 without losing or repeating events', async () => {
    const before = fake.requests.length;
    fake.answer429(1);
    fake.add(dm(21));
    await waitFor(() => countsById().has(idOf(21)), { what: 'event 21 after the 429', timeoutMs: 30_000 });
    const after = fake.requests.slice(before);
    const limited = after.findIndex((r) => r.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    expect(after.filter((r) => r.status === 429)).toHaveLength(1);
    expect(after[limited + 1]!.status).toBe(200);
    await metricMatches(/kanal_x_api_requests_total\{[^}]*outcome="rate-limited"[^}]*\} 1/);
    expectExactlyOnce(21);
  });

  it('resumes after restarts from the cursor and from an interrupted paging run, without duplicates or gaps', async () => {
    await stop();
    const cursorBefore = (await cursor())!.last_event_id;
    expect(cursorBefore).toBe(idOf(21));
    fake.add(...range(22, 33).map(dm));
    // The window is used up after one page: the run stops with its place saved (22..33 needs 3 pages).
    fake.rateLimit.remaining = 0;
    await start();
    await waitFor(async () => (await cursor())?.backfill_token, { what: 'a saved paging position', timeoutMs: 30_000 });
    await waitFor(() => countsById().has(idOf(33)), { what: 'first page of the run', timeoutMs: 30_000 });
    expect((await cursor())!.last_event_id).toBe(cursorBefore);
    await stop();

    fake.rateLimit.remaining = 1_000;
    const before = fake.requests.length;
    await start();
    await waitFor(async () => (await cursor())?.last_event_id === idOf(33), {
      what: 'cursor at 33',
      timeoutMs: 30_000,
    });
    await waitFor(() => countsById().size === 33, { what: '33 events', timeoutMs: 30_000 });
    expect(fake.requests[before]!.query.get('pagination_token')).toBeTruthy();
    expect((await cursor())!.backfill_token).toBeNull();
    expectExactlyOnce(33);
  });

  it('starts over from the newest page when a saved page token has expired (HTTP 400): no gap, same ids', async () => {
    await stop();
    fake.add(...range(34, 45).map(dm));
    fake.rateLimit.remaining = 0;
    await start();
    await waitFor(async () => (await cursor())?.backfill_token, { what: 'a saved paging position', timeoutMs: 30_000 });
    await stop();
    await pool.query(`UPDATE "${schema}".poll_cursor SET backfill_token = 'expired-token' WHERE account_id = $1`, [US]);

    fake.rateLimit.remaining = 1_000;
    await start();
    await waitFor(async () => (await cursor())?.last_event_id === idOf(45), {
      what: 'cursor at 45',
      timeoutMs: 30_000,
    });
    await waitFor(() => countsById().size === 45, { what: '45 events', timeoutMs: 30_000 });
    expect(fake.requests.filter((r) => r.status === 400)).toHaveLength(1);
    // The first page (41..45) was published before the token expired and comes again, with the same ids.
    const counts = countsById();
    expect([...counts.keys()].sort()).toEqual(range(1, 45).map(idOf).sort());
    expect(range(1, 45).filter((n) => counts.get(idOf(n)) !== 1)).toEqual(range(41, 45));
    for (const e of inbound.events) expect(e.id).toBe(inboundEventId('x', US, externalId(e)));
  });

  it('dead-letters an event of unknown shape with its raw item while the others are published and the cursor moves on', async () => {
    const unknown = {
      id: idOf(47),
      event_type: 'MessageReactionCreate',
      sender_id: CUSTOMER,
      dm_conversation_id: `${CUSTOMER}-${US}`,
      created_at: new Date(Date.UTC(2026, 10, 21)).toISOString(),
      reaction: { emoji: '👍', reacted_to_event_id: idOf(45) },
    };
    fake.add(dm(46), { id: idOf(47), raw: unknown }, dm(48));
    await waitFor(async () => (await cursor())?.last_event_id === idOf(48), {
      what: 'cursor past the unknown event',
      timeoutMs: 30_000,
    });
    await waitFor(() => countsById().has(idOf(46)) && countsById().has(idOf(48)), {
      what: 'the events around it',
      timeoutMs: 30_000,
    });
    await waitFor(() => dlq.events.length > 0, { what: 'the dead letter', timeoutMs: 30_000 });
    expect(countsById().has(idOf(47))).toBe(false);
    expect(dlq.events).toHaveLength(1);
    const letter = dlq.events[0]!;
    const data = letter.data as DlqRecordData;
    expect(letter.type).toBe('kanal.dlq.record.v1');
    expect(letter.subject).toBe(`x:${US}:${CUSTOMER}-${US}`);
    expect(data).toMatchObject({ origin: 'provider', provider: 'x-dm', accountId: US, code: 'X.UNKNOWN_EVENT_TYPE' });
    expect(JSON.parse(data.value)).toEqual({ data: [unknown], meta: { result_count: 1 } });
    await metricMatches(/kanal_x_dead_lettered_total\{[^}]*code="X.UNKNOWN_EVENT_TYPE"[^}]*\} 1/);
  });
});
