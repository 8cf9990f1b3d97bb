import { readFileSync } from 'node:fs';
import { afterAll, it } from '@jest/globals';
import fc from 'fast-check';
import { exceededLimit, parseEvent, storableMessage, type CloudEvent, type MessageData } from '@kanal/contracts';
import {
  fuzzRuns,
  fuzzTimeout,
  hostileBytes,
  hostileValue,
  inputCounter,
  mutatedBytes,
  mutationOf,
} from '@kanal/testing';
import type { MapContext } from './map-context';
import { normalizeWhatsappWeb } from './normalize-whatsapp-web';
import type { RawUpsert, RawWaMessage } from './raw-message';
import { toInboundEvent } from './to-inbound-events';

const counter = inputCounter('connector-whatsapp toInboundEvent + normalizeWhatsappWeb');
afterAll(() => counter.report());

const ctx: MapContext = {
  accountId: 'shop-tr',
  receivedAt: '2026-01-01T00:10:00.000Z',
  ingestGroups: true,
  self: { id: '905320000000:3@s.whatsapp.net', lid: '77788899900011:3@lid' },
};
const env = {
  WHATSAPP_ACCOUNT_ID: 'shop-tr',
  WHATSAPP_INGEST_GROUPS: 'true',
  WHATSAPP_SELF_JID: '905320000000@s.whatsapp.net',
};
const UPSERTS = [
  'upsert-notify-dm.json',
  'upsert-append-protobuf-json.json',
  'upsert-ignored-and-groups.json',
  'upsert-state.json',
  'upsert-wrappers.json',
  'upsert-rich-content.json',
  'upsert-non-messages.json',
  'upsert-unmappable.json',
  'upsert-identities.json',
  'upsert-times.json',
].map((name) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as RawUpsert);
const MESSAGES = UPSERTS.flatMap((u) => u.messages);

function validate(event: CloudEvent) {
  const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
  if (!parsed.ok) throw new Error(`invalid event: ${parsed.code} ${parsed.message}`);
  if (event.type === 'kanal.dlq.record.v1') return;
  // Within the size caps and nothing the database refuses (toStorableInbound ran on it).
  const tooLarge = exceededLimit(event.data as MessageData, '');
  if (tooLarge) throw new Error(`event over a cap: ${JSON.stringify(tooLarge)}`);
  const issues = storableMessage(event.data).issues;
  if (issues.length > 0) throw new Error(`unstorable event: ${JSON.stringify(issues.map((i) => i.path))}`);
}

/** One upsert item: an event that satisfies the contract, a skip with a reason or a letter with a code; never a throw. */
function checkItem(raw: unknown) {
  counter.tick();
  const result = toInboundEvent(raw as RawWaMessage, ctx);
  if (result.kind === 'event') validate(result.event);
  else if (result.kind === 'skipped' && !result.reason) throw new Error('skip without a reason');
  else if (result.kind === 'failed' && !/^WHATSAPP\.[A-Z_]+$/.test(result.code))
    throw new Error(`letter without a code: ${result.code}`);
}

/** The CLI path: only a WHATSAPP.INVALID_INPUT error escapes; every printed event and dead letter validates. */
async function checkBytes(raw: Buffer) {
  counter.tick();
  let events: CloudEvent[];
  try {
    events = await normalizeWhatsappWeb(raw, env, { receivedAt: '2026-01-01T00:10:00.000Z' });
  } catch (error) {
    if ((error as { code?: string }).code === 'WHATSAPP.INVALID_INPUT') return;
    throw error;
  }
  events.forEach(validate);
}

it(
  'maps mutated upsert items to valid events or counted drops',
  () => {
    fc.assert(fc.property(fc.oneof(...MESSAGES.map((m) => mutationOf(m))), checkItem), {
      seed: 9401,
      numRuns: fuzzRuns(2_000),
    });
  },
  fuzzTimeout(),
);

it(
  'maps arbitrary values as items without a throw',
  () => {
    const keyed = fc.record({
      key: fc.record({
        id: fc.string(),
        remoteJid: fc.constantFrom('905321234567@s.whatsapp.net', '1@lid', '1-2@g.us'),
      }),
      message: hostileValue,
      messageTimestamp: hostileValue,
    });
    fc.assert(fc.property(fc.oneof(hostileValue, keyed), checkItem), { seed: 9402, numRuns: fuzzRuns(1_000) });
  },
  fuzzTimeout(),
);

it(
  'normalizes arbitrary, mutated and corrupted upsert payload bytes',
  async () => {
    await fc.assert(fc.asyncProperty(hostileBytes, checkBytes), { seed: 9403, numRuns: fuzzRuns(500) });
    const mutated = fc.oneof(...UPSERTS.map((u) => mutationOf(u))).map((v) => Buffer.from(JSON.stringify(v) ?? ''));
    await fc.assert(fc.asyncProperty(mutated, checkBytes), { seed: 9404, numRuns: fuzzRuns(500) });
    const corrupted = fc.oneof(...UPSERTS.map((u) => mutatedBytes(Buffer.from(JSON.stringify(u)))));
    await fc.assert(fc.asyncProperty(corrupted, checkBytes), { seed: 9405, numRuns: fuzzRuns(300) });
  },
  fuzzTimeout(),
);
