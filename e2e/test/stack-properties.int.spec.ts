import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { DlqRecordData } from '@kanal/contracts';
import { fuzzRuns, fuzzTimeout, hostileString, inputCounter, waitFor } from '@kanal/testing';
import { message, startPipeline, WA_PHONE_NUMBER_ID } from './pipeline-harness';

/*
 * Issue 16's property through the running stack: whatever a client or a provider sends, each
 * message Kanal accepted is unified and routed, or it was refused at the edge (a 4xx from
 * connector-api; a provider dead letter from connector-meta, which cannot refuse a delivery) —
 * never dead-lettered by a consumer downstream, and never a 5xx. The inputs aim at what once got
 * through the edge and then failed in Postgres or the broker: NUL, lone and paired surrogates at
 * every position around the 280-character cut of recent texts, bidi controls, bodies from 0 to
 * 2 MB, any date and offset. `npm test` runs a seeded subset; `npm run test:fuzz` scales it
 * (KANAL_FUZZ_SCALE).
 */

let p: Awaited<ReturnType<typeof startPipeline>>;
beforeAll(async () => {
  p = await startPipeline({}, { withRouter: true, withMeta: true });
}, 90_000);
afterAll(() => p?.stop(), 60_000);

const apiCounter = inputCounter('stack connector-api → unifier → router');
const metaCounter = inputCounter('stack connector-meta → unifier → router');
afterAll(() => {
  apiCounter.report();
  metaCounter.report();
});

/** UTF-16 code units, any of them: lone high and low surrogates included. */
const codeUnits = (maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength }).map((units) => String.fromCharCode(...units));

/** A pair (or a flag, a skin tone) placed across every position near the recent-text cut. */
const acrossTheCut = fc
  .tuple(fc.integer({ min: 270, max: 290 }), fc.constantFrom('😀', '👍🏽', '🇹🇷', '𝄞', '👨‍👩‍👧'), fc.nat({ max: 4 }))
  .map(([lead, pair, tail]) => 'a'.repeat(lead) + pair.repeat(1 + tail));

const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
const withBidi = fc
  .tuple(fc.string({ maxLength: 40 }), fc.constantFrom(...BIDI), fc.string({ maxLength: 40 }))
  .map(([a, b, c]) => `${a}${b}${c}`);

/** 0 – 2 MB, in the characters that grow the most once JSON-escaped or UTF-8 encoded. */
const sized = fc
  .tuple(
    fc.constantFrom(1_000, 131_000, 131_072, 262_144, 600_000, 1_000_000, 2_000_000),
    fc.constantFrom('"', 'é', 'x', '😀'),
  )
  .map(([units, ch]) => ch.repeat(Math.max(1, Math.floor(units / ch.length))));

const text = fc.oneof(
  { weight: 4, arbitrary: hostileString.filter((s) => s.length < 200_000) },
  { weight: 3, arbitrary: codeUnits(400) },
  { weight: 3, arbitrary: acrossTheCut },
  { weight: 2, arbitrary: withBidi },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 300 }) },
  { weight: 1, arbitrary: sized },
);

const recentIso = fc
  .integer({ min: -3 * 86_400_000, max: 2 * 86_400_000 })
  .map((offset) => new Date(Date.now() + offset).toISOString());
const occurredAt = fc.oneof(
  { weight: 8, arbitrary: recentIso },
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0000-01-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      '1970-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '+275760-09-13T00:00:00.000Z',
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      'yesterday',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('+23:59', '-23:59', '+14:00', '-12:00', '+00:00', '+24:00', '+05:45'), recentIso)
      .map(([offset, iso]) => iso.replace('Z', offset)),
  },
);

/** `arbitrary` in one input of `oneIn`, absent otherwise. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number) =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

/** A sender every input has (so most inputs are acceptable) plus, sometimes, a hostile identity. */
const sender = fc.record({
  displayName: sometimes(
    text.filter((s) => s.length <= 300),
    2,
  ),
  hostile: sometimes(
    fc.record({
      type: fc.constantFrom('phone', 'email', 'external', 'instagram'),
      value: fc.oneof(
        hostileString.filter((s) => s.length < 500),
        codeUnits(40),
      ),
    }),
    6,
  ),
});

const apiInput = fc.record({
  text,
  fullText: sometimes(text, 3),
  occurredAt,
  sender,
  caption: sometimes(
    text.filter((s) => s.length < 5_000),
    3,
  ),
});

type ApiInput = typeof apiInput extends fc.Arbitrary<infer T> ? T : never;

function toBody(input: ApiInput, fuzzId: string) {
  const identities: Array<{ type: string; value: string }> = [{ type: 'external', value: `fuzz:${fuzzId}` }];
  // A hostile identity shared by many inputs would merge them into one customer; a suffix keeps them apart.
  if (input.sender.hostile)
    identities.push({ ...input.sender.hostile, value: `${input.sender.hostile.value}${fuzzId.slice(0, 8)}` });
  return message({
    text: input.text,
    ...(input.fullText === undefined ? {} : { fullText: input.fullText }),
    occurredAt: input.occurredAt,
    sender: {
      ...(input.sender.displayName === undefined ? {} : { displayName: input.sender.displayName }),
      identities,
    },
    ...(input.caption === undefined ? {} : { attachments: [{ kind: 'image', caption: input.caption }] }),
    metadata: { fuzzId },
  });
}

/** Runs `task` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}

type Unified = {
  messageId: string;
  conversation: { id: string };
  message: { externalId: string; metadata?: Record<string, string> };
};

function unifiedBy(key: (d: Unified) => string | undefined): Map<string, Unified> {
  const out = new Map<string, Unified>();
  for (const r of p.customers) {
    if (r.event.type !== 'kanal.customer.message.v1') continue;
    const k = key(r.event.data as Unified);
    if (k !== undefined) out.set(k, r.event.data as Unified);
  }
  return out;
}

const routedConversations = () =>
  new Set(
    p.routing
      .filter((r) => r.event.type === 'kanal.conversation.assigned.v1')
      .map((r) => (r.event.data as { conversationId: string }).conversationId),
  );

const consumerLetters = () =>
  p.dlq.filter((r) => (r.event.data as DlqRecordData).origin !== 'provider').map((r) => r.event.data as DlqRecordData);

/** Waits until every accepted input is unified and its conversation routed, or a consumer dead-letters something. */
async function expectUnifiedAndRouted(accepted: string[], key: (d: Unified) => string | undefined, what: string) {
  let missing: string[] = accepted;
  await waitFor(
    () => {
      if (consumerLetters().length > 0) return true;
      const unified = unifiedBy(key);
      const routed = routedConversations();
      missing = accepted.filter((id) => {
        const u = unified.get(id);
        return !u || !routed.has(u.conversation.id);
      });
      return missing.length === 0;
    },
    {
      timeoutMs: 120_000 + accepted.length * 50,
      what: () => `${what}: ${missing.length} of ${accepted.length} accepted not yet unified and routed`,
    },
  );
  const letters = consumerLetters();
  expect(letters.map((l) => `${l.code} on ${l.sourceTopic}: ${l.message.slice(0, 300)}`)).toEqual([]);
  expect(missing).toEqual([]);
}

it(
  'connector-api: every accepted message is unified and routed; the rest is a 4xx naming why',
  async () => {
    const inputs = fc.sample(apiInput, { seed: 16_001, numRuns: fuzzRuns(1_200) });
    const accepted: string[] = [];
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    const refusedFor = new Map<string, number>();
    await pool(inputs, 16, async (input) => {
      apiCounter.tick();
      const fuzzId = randomUUID();
      const res = await p.api('/v1/messages', { method: 'POST', body: JSON.stringify(toBody(input, fuzzId)) });
      const body = (await res.json().catch(() => ({}))) as {
        code?: string;
        details?: { issues?: Array<{ path?: string }> };
      };
      if (res.status >= 400 && res.status < 500) {
        const reason = `${body.code} ${(body.details?.issues ?? []).map((d) => d.path?.replace(/\d+/g, 'n')).join(',')}`;
        refusedFor.set(reason, (refusedFor.get(reason) ?? 0) + 1);
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 202) accepted.push(fuzzId);
      else if (res.status >= 500 || !body.code)
        serverErrors.push(
          `${res.status} ${JSON.stringify(body).slice(0, 200)} for ${JSON.stringify(input).slice(0, 200)}`,
        );
    });
    console.log(
      `[stack] connector-api statuses: ${JSON.stringify(Object.fromEntries(statuses))}; refused for ${JSON.stringify(Object.fromEntries(refusedFor))}`,
    );
    expect(serverErrors).toEqual([]);
    // The generator is meant to land on both sides of the edge.
    expect(accepted.length).toBeGreaterThan(inputs.length / 5);
    expect(accepted.length).toBeLessThan(inputs.length);
    await expectUnifiedAndRouted(accepted, (d) => d.message.metadata?.fuzzId, 'connector-api');
  },
  fuzzTimeout(150_000),
);

const metaInput = fc.record({
  body: text,
  name: text.filter((s) => s.length <= 1_000),
  from: fc.oneof(
    fc.integer({ min: 4, max: 15 }).chain((n) => fc.stringMatching(new RegExp(`^[1-9][0-9]{${n - 1}}$`))),
    hostileString.filter((s) => s.length < 100),
  ),
  timestamp: fc.oneof(
    fc.integer({ min: -1, max: 2 ** 40 }).map(String),
    fc.constantFrom('0', '253402300799', '1e10', '', 'NaN'),
    fc.constant(String(Math.floor(Date.now() / 1000))),
  ),
});

type MetaInput = typeof metaInput extends fc.Arbitrary<infer T> ? T : never;

function whatsappDelivery(input: MetaInput, wamid: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '+90 850 123 45 67', phone_number_id: WA_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: input.name }, wa_id: input.from }],
              messages: [
                { from: input.from, id: wamid, timestamp: input.timestamp, type: 'text', text: { body: input.body } },
              ],
            },
          },
        ],
      },
    ],
  });
}

it(
  'connector-meta: every delivered message is unified and routed, or a provider dead letter with its payload',
  async () => {
    const inputs = fc.sample(metaInput, { seed: 16_002, numRuns: fuzzRuns(400) });
    const delivered: string[] = [];
    /** A WhatsApp-verified number: whatever the text, name or timestamp, the message is kept as an event. */
    const verifiedSender = new Set<string>();
    const refusedDeliveries: string[] = [];
    await pool(inputs, 8, async (input) => {
      metaCounter.tick();
      const wamid = `wamid.${randomUUID().replaceAll('-', '')}`;
      const res = await p.meta('/webhooks/whatsapp', whatsappDelivery(input, wamid));
      await res.arrayBuffer();
      // A body over the webhook limit is refused before Meta is told "OK" (Meta retries it); anything else is 200.
      if (res.status === 200) {
        delivered.push(wamid);
        if (/^[1-9]\d{7,14}$/.test(input.from)) verifiedSender.add(wamid);
      } else if (res.status !== 413) refusedDeliveries.push(`${res.status} for ${JSON.stringify(input).slice(0, 200)}`);
    });
    expect(refusedDeliveries).toEqual([]);
    const lettered = () =>
      new Set(
        p.dlq
          .filter((r) => (r.event.data as DlqRecordData).origin === 'provider')
          .flatMap((r) => delivered.filter((wamid) => (r.event.data as DlqRecordData).value.includes(wamid))),
      );
    const unified = () => unifiedBy((d) => d.message.externalId);
    /** A delivery too large to carry inline is dead-lettered with its payload in the blob store (no wamid to match). */
    const inBlobStore = () =>
      p.dlq.filter((r) => {
        const d = r.event.data as DlqRecordData;
        return d.origin === 'provider' && d.blobRef !== undefined && d.value === '';
      }).length;
    const neither = () => {
      const [u, l] = [unified(), lettered()];
      return delivered.filter((w) => !u.has(w) && !l.has(w));
    };
    await waitFor(
      () => {
        return consumerLetters().length > 0 || neither().length <= inBlobStore();
      },
      {
        timeoutMs: 120_000 + delivered.length * 50,
        what: () => {
          const missing = neither();
          return `every delivered message unified or provider-dead-lettered: ${missing.length} of ${delivered.length} neither (${inBlobStore()} letters in the blob store, ${p.dlq.length} letters in all; first missing ${missing.slice(0, 3).join(', ')})`;
        },
      },
    );
    expect(consumerLetters().map((l) => `${l.code}: ${l.message.slice(0, 300)}`)).toEqual([]);
    // Each letter in the blob store accounts for one delivery that matched nothing else.
    const blobLettered = new Set(neither());
    expect(blobLettered.size).toBe(inBlobStore());
    const letters = new Set([...lettered(), ...blobLettered]);
    expect(delivered.filter((w) => verifiedSender.has(w) && letters.has(w))).toEqual([]);
    expect(verifiedSender.size).toBeGreaterThan(delivered.length / 4);
    const asEvents = delivered.filter((w) => !letters.has(w));
    console.log(`[stack] connector-meta: ${delivered.length} delivered, ${letters.size} provider dead letters`);
    await expectUnifiedAndRouted(asEvents, (d) => d.message.externalId, 'connector-meta');
  },
  fuzzTimeout(150_000),
);
