import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { exceededLimit, parseEvent, storableMessage, type MessageData } from '@kanal/contracts';
import {
  fuzzRuns,
  fuzzTimeout,
  hostileBytes,
  hostileValue,
  inputCounter,
  mutatedBytes,
  mutationOf,
} from '@kanal/testing';
import { deadLettersOf } from '../dead-letters';
import { XError } from '../errors';
import { normalizeXPayload } from '../normalize-x-dm';

const US = '1580001122334455667';
const ctx = { accountId: US, receivedAt: '2026-01-01T00:00:00.000Z' };
const counter = inputCounter('connector-x dm_events page + webhook mappers');
afterAll(() => counter.report());

const dir = new URL('./__fixtures__/', import.meta.url);
const FIXTURES = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown);

/**
 * Both mappers (page and webhook, chosen by `for_user_id`): only a coded XError escapes, events and
 * dead letters validate, and every item is accounted for (an event, a skip or a dead letter).
 */
function check(json: unknown) {
  counter.tick();
  let batch;
  try {
    batch = normalizeXPayload(json, ctx);
  } catch (error) {
    if (error instanceof XError && error.code.startsWith('X.')) return;
    throw error;
  }
  for (const event of [...batch.events, ...deadLettersOf(batch, ctx.receivedAt)]) {
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    if (!parsed.ok) throw new Error(`invalid event: ${parsed.code} ${parsed.message}`);
  }
  for (const event of batch.events) {
    // Within the size caps and nothing the database refuses (toStorableInbound ran on it).
    const tooLarge = exceededLimit(event.data as MessageData, '');
    if (tooLarge) throw new Error(`event over a cap: ${JSON.stringify(tooLarge)}`);
    const issues = storableMessage(event.data).issues;
    if (issues.length > 0) throw new Error(`unstorable event: ${JSON.stringify(issues.map((i) => i.path))}`);
  }
  const items = (json as { data?: unknown[] }).data;
  if (!('for_user_id' in (json as object)) && Array.isArray(items)) {
    // Pages: one outcome per item. (Webhook bodies count skips per activity element, by key.)
    const accounted = batch.events.length + batch.skipped.length + batch.rejected.length;
    if (accounted !== items.length) throw new Error(`${items.length} items, ${accounted} accounted for`);
  }
}

function fromBytes(raw: Buffer) {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    counter.tick();
    return; // not JSON: the route answers 400 X.INVALID_PAYLOAD before any mapper runs
  }
  check(json);
}

it(
  'maps arbitrary values and bytes to valid events or a coded XError',
  () => {
    fc.assert(fc.property(hostileValue, check), { seed: 9301, numRuns: fuzzRuns(800) });
    fc.assert(fc.property(hostileBytes, fromBytes), { seed: 9302, numRuns: fuzzRuns(500) });
  },
  fuzzTimeout(),
);

it(
  'survives mutated dm_events pages and webhook bodies, as JSON and as corrupted bytes',
  () => {
    fc.assert(fc.property(fc.oneof(...FIXTURES.map((f) => mutationOf(f))), check), {
      seed: 9303,
      numRuns: fuzzRuns(2_000),
    });
    const corrupted = fc.oneof(...FIXTURES.map((f) => mutatedBytes(Buffer.from(JSON.stringify(f)))));
    fc.assert(fc.property(corrupted, fromBytes), { seed: 9304, numRuns: fuzzRuns(500) });
  },
  fuzzTimeout(),
);

it(
  'keeps a webhook DM whose epoch-millisecond timestamp is beyond the Date range, with the fallback',
  () => {
    const body = FIXTURES.find(
      (f) => (f as { for_user_id?: string }).for_user_id && 'direct_message_events' in (f as object),
    ) as {
      direct_message_events: Array<Record<string, unknown>>;
    };
    const events = body.direct_message_events.map((e) => ({ ...e, created_timestamp: '9999999999999999' }));
    check({ ...body, direct_message_events: events });
    const batch = normalizeXPayload({ ...body, direct_message_events: events }, ctx);
    expect(batch.events.length).toBeGreaterThan(0);
    for (const e of batch.events)
      expect(e.data).toMatchObject({ occurredAt: ctx.receivedAt, flags: { dateFallback: true } });
  },
  fuzzTimeout(),
);
