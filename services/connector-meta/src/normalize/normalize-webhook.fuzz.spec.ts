import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  buildProviderDeadLetter,
  exceededLimit,
  parseEvent,
  storableMessage,
  type MessageData,
} from '@kanal/contracts';
import {
  fuzzRuns,
  fuzzTimeout,
  hostileBytes,
  hostileString,
  inputCounter,
  mutatedBytes,
  mutationOf,
} from '@kanal/testing';
import { signBody, verifySignature } from '../webhook/verify-signature';
import { InvalidWebhookBodyError, META_PROVIDERS, normalizeWebhook, type MetaProvider } from './normalize-webhook';

const options = { receivedAt: '2026-01-01T00:00:00.000Z' };
const counter = inputCounter('connector-meta normalizeWebhook + verifySignature');
afterAll(() => counter.report());

function fixtures(dir: string, prefix = ''): unknown[] {
  const url = new URL(`../${dir}/__fixtures__/`, import.meta.url);
  return readdirSync(url)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, url), 'utf8')));
}
const FIXTURES: Record<MetaProvider, unknown[]> = {
  'whatsapp-cloud': fixtures('whatsapp'),
  'meta-instagram': fixtures('social', 'instagram'),
  'meta-messenger': fixtures('social', 'messenger'),
};

/** Only InvalidWebhookBodyError (answered 400) may escape; whatever is returned validates. */
function check(provider: MetaProvider, raw: Buffer) {
  counter.tick();
  let batch;
  try {
    batch = normalizeWebhook(provider, raw, options);
  } catch (error) {
    if (error instanceof InvalidWebhookBodyError && error.code === 'META.INVALID_BODY') return;
    throw error;
  }
  for (const { event } of batch.events) {
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    if (!parsed.ok) throw new Error(`${provider} produced an invalid event: ${parsed.code} ${parsed.message}`);
    // Within the size caps and nothing the database refuses (toStorableInbound ran on it).
    expect(exceededLimit(event.data as MessageData, '')).toBeUndefined();
    expect(storableMessage(event.data).issues).toEqual([]);
  }
  for (const job of batch.media) expect(batch.events.some(({ event }) => event === job.message)).toBe(true);
  // Every dead letter is replayable: its payload maps again, to that one letter, without a 400.
  for (const letter of batch.deadLetters) {
    const again = normalizeWebhook(provider, Buffer.from(letter.item.payload()), options);
    expect(again.deadLetters.map((d) => d.code)).toEqual([letter.code]);
    expect(again.events).toEqual([]);
    const event = buildProviderDeadLetter({
      source: 'kanal/connector-meta',
      provider,
      code: letter.code,
      message: letter.message,
      payload: letter.item.payload(),
      contentType: 'application/json',
      receivedAt: options.receivedAt,
      item: letter.item.locator,
    });
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    if (!parsed.ok) throw new Error(`${provider} produced an invalid dead letter: ${parsed.code} ${parsed.message}`);
  }
}

it(
  'answers arbitrary bytes, invalid UTF-8 and 0-byte bodies with InvalidWebhookBodyError or valid events and replayable letters',
  () => {
    const provider = fc.constantFrom(...META_PROVIDERS);
    fc.assert(fc.property(provider, hostileBytes, check), { seed: 9201, numRuns: fuzzRuns(1_000) });
  },
  fuzzTimeout(),
);

it.each(META_PROVIDERS)('survives mutated %s fixtures, as JSON and as corrupted bytes', (provider) => {
  const bodies = FIXTURES[provider];
  expect(bodies.length).toBeGreaterThan(0);
  const mutated = fc.oneof(...bodies.map((b) => mutationOf(b)));
  fc.assert(
    fc.property(mutated, (v) => check(provider, Buffer.from(JSON.stringify(v) ?? ''))),
    { seed: 9202, numRuns: fuzzRuns(400) },
  );
  const corrupted = fc.oneof(...bodies.map((b) => mutatedBytes(Buffer.from(JSON.stringify(b)))));
  fc.assert(
    fc.property(corrupted, (raw) => check(provider, raw)),
    { seed: 9203, numRuns: fuzzRuns(200) },
  );
});

it(
  'verifySignature never throws and accepts only the exact signature',
  () => {
    const header = fc.oneof(fc.constant(undefined), hostileString, fc.stringMatching(/^sha256=[0-9a-fA-F]{60,68}$/));
    fc.assert(
      fc.property(hostileBytes, header, (raw, given) => {
        counter.tick();
        const result = verifySignature(raw, given, ['s1', 's2']);
        expect(result.ok).toBe(
          given !== undefined &&
            [signBody(raw, 's1'), signBody(raw, 's2')].includes(
              given
                .trim()
                .toLowerCase()
                .replace(/^sha256=/i, 'sha256='),
            ),
        );
      }),
      { seed: 9204, numRuns: fuzzRuns(1_000) },
    );
    fc.assert(
      fc.property(hostileBytes, (raw) => {
        counter.tick();
        expect(verifySignature(raw, signBody(raw, 's2'), ['s1', 's2'])).toEqual({ ok: true });
      }),
      { seed: 9205, numRuns: fuzzRuns(200) },
    );
  },
  fuzzTimeout(),
);
