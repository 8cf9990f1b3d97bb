import { afterAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseEvent } from '@kanal/contracts';
import { deepNest, fuzzRuns, fuzzTimeout, hostileValue, inputCounter, mutationOf } from '@kanal/testing';
import { toInboundEvents } from './to-inbound-events';

const options = { maxBatch: 500, defaultRegion: 'TR', now: new Date('2026-01-01T00:00:00Z') };
const counter = inputCounter('connector-api toInboundEvents');
afterAll(() => counter.report());

const valid = {
  channel: 'webchat',
  accountId: 'shop',
  externalId: 'm-1',
  conversationRef: 'c-1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  text: 'Merhaba',
  sender: {
    displayName: 'Ayşe',
    identities: [
      { type: 'phone', value: '0532 123 45 67' },
      { type: 'email', value: 'A@Example.com' },
    ],
  },
  attachments: [{ kind: 'image', url: 'https://example.test/a.jpg' }],
  metadata: { order: '42' },
};

/** Never throws; either every offending path is named, or every event satisfies the contract. */
function check(body: unknown) {
  counter.tick();
  const result = toInboundEvents(body, options);
  if (!result.ok) {
    if ('issues' in result) expect(result.issues.length).toBeGreaterThan(0);
    else expect(result.tooLarge.size).toBeGreaterThan(result.tooLarge.limit);
    return;
  }
  for (const event of result.events) {
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    if (!parsed.ok) throw new Error(`${parsed.code}: ${parsed.message}`);
  }
}

it(
  'answers any JSON value with events that validate or with issues, never a throw',
  () => {
    fc.assert(fc.property(hostileValue, check), { seed: 9001, numRuns: fuzzRuns(1_500) });
  },
  fuzzTimeout(),
);

it(
  'survives mutations of a valid message and of a batch of them',
  () => {
    fc.assert(fc.property(mutationOf(valid), check), { seed: 9002, numRuns: fuzzRuns(2_000) });
    fc.assert(fc.property(mutationOf([valid, { ...valid, externalId: 'm-2' }]), check), {
      seed: 9003,
      numRuns: fuzzRuns(500),
    });
  },
  fuzzTimeout(),
);

it(
  'rejects 10,000-level nesting and over-long batches without a throw',
  () => {
    for (const body of [
      deepNest(10_000),
      deepNest(10_000, 'object'),
      { ...valid, metadata: deepNest(10_000, 'object') },
    ])
      check(body);
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ ...valid, externalId: `m-${i}` }));
    counter.tick();
    expect(toInboundEvents(tooMany, options)).toMatchObject({ ok: false });
  },
  fuzzTimeout(),
);
