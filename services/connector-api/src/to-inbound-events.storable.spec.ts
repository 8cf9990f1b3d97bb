import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseEvent } from '@kanal/contracts';
import { fuzzRuns, fuzzTimeout, inputCounter } from '@kanal/testing';
import { toInboundEvents } from './to-inbound-events';

const now = new Date('2026-03-01T12:00:00.000Z');
const options = { maxBatch: 500, defaultRegion: 'TR', now };
const counter = inputCounter('connector-api storable edge');
afterAll(() => counter.report());

const BIDI = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const UNITS = ['a', 'İ', ' ', '"', '\u0000', '\uD83D', '\uDE00', '😀', '👍🏽', '\u202B', '\u202E', '\u2066', '\u2069'];

/** Arbitrary text, and arbitrary text cut at every position (a pair cut in half leaves a lone surrogate). */
const hostile = fc.oneof(
  fc.array(fc.constantFrom(...UNITS), { maxLength: 24 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc
    .string({ unit: 'binary', minLength: 1, maxLength: 24 })
    .chain((s) => fc.tuple(fc.constant(s), fc.nat({ max: s.length })))
    .chain(([s, cut]) => fc.constantFrom(s.slice(0, cut), s.slice(cut), `${s.slice(0, cut)}\u0000${s.slice(cut)}`)),
);

/** What Postgres stores, judged independently of the code under test: UTF-8 round trip and no NUL. */
const storable = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s && !s.includes('\u0000');

/** The expected repair, unit by unit: unpaired surrogates → U+FFFD, NUL dropped, bidi dropped from names. */
function repaired(text: string, name: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit === 0 || (name && BIDI.has(unit))) continue;
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += text.slice(i, i + 2);
      i++;
    } else out += unit >= 0xd800 && unit <= 0xdfff ? '\uFFFD' : text[i];
  }
  return out;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

const base = {
  channel: 'webchat',
  accountId: 'shop',
  externalId: 'm-1',
  conversationRef: 'c-1',
  occurredAt: '2026-03-01T11:00:00.000Z',
  sender: { identities: [{ type: 'webchat', value: 'shop:visitor-1' }] },
};

describe('toInboundEvents keeps only what the database can store', () => {
  it(
    'repairs free text and names, flags it, and changes nothing else',
    () => {
      fc.assert(
        fc.property(
          fc.record({
            text: hostile,
            fullText: hostile,
            subject: hostile,
            caption: hostile,
            name: hostile,
            note: hostile,
          }),
          (t) => {
            counter.tick();
            const body = {
              ...base,
              text: t.text,
              fullText: t.fullText,
              subject: t.subject,
              sender: { ...base.sender, displayName: t.name, username: t.name },
              attachments: [{ kind: 'image', caption: t.caption, name: t.name }],
              metadata: { note: t.note },
            };
            const result = toInboundEvents(body, options);
            if (!result.ok) throw new Error(JSON.stringify(result));
            const data = result.events[0]!.data;
            expect(strings(result.events[0]).every(storable)).toBe(true);
            expect(parseEvent(JSON.parse(JSON.stringify(result.events[0]))).ok).toBe(true);
            expect([
              data.text,
              data.fullText,
              data.subject,
              data.attachments[0]!.caption,
              data.metadata!['note'],
            ]).toEqual([t.text, t.fullText, t.subject, t.caption, t.note].map((s) => repaired(s, false)));
            expect([data.sender.displayName, data.sender.username, data.attachments[0]!.name]).toEqual(
              [t.name, t.name, t.name].map((s) => repaired(s, true)),
            );
            const all = [t.text, t.fullText, t.subject, t.caption, t.note, t.name];
            expect(Boolean(data.flags?.['textSanitized'])).toBe(all.some((s) => repaired(s, false) !== s));
            expect(Boolean(data.flags?.['bidiControls'])).toBe(
              all.some((s) => [...s].some((c) => BIDI.has(c.charCodeAt(0)))),
            );
            // Identifiers and times as given (occurredAt was already canonical UTC).
            expect(data).toMatchObject({ externalId: 'm-1', conversationRef: 'c-1', occurredAt: base.occurredAt });
            expect(data.sender.identities).toEqual(base.sender.identities);
          },
        ),
        { seed: 1641, numRuns: fuzzRuns(4_000) },
      );
    },
    fuzzTimeout(),
  );

  it(
    'refuses identifiers it cannot store with 400 naming the field, and accepts every other',
    () => {
      const fields = [
        'externalId',
        'conversationRef',
        'sender.identities.0.value',
        'metadata key',
        'attachments.0.url',
      ];
      fc.assert(
        fc.property(
          hostile.filter((s) => s.trim().length > 0 && !/\s/.test(s)),
          fc.constantFrom(...fields),
          (value, field) => {
            counter.tick();
            const body: Record<string, unknown> = structuredClone(base);
            if (field === 'externalId' || field === 'conversationRef') body[field] = value;
            if (field === 'sender.identities.0.value')
              body['sender'] = { identities: [{ type: 'external', value: `crm:${value}` }] };
            if (field === 'metadata key') body['metadata'] = { [value]: 'x' };
            if (field === 'attachments.0.url') body['attachments'] = [{ kind: 'image', url: value }];
            const result = toInboundEvents(body, options);
            const path = field === 'metadata key' ? `metadata.${value}` : field;
            if (storable(value)) {
              if (!result.ok && 'issues' in result) expect(result.issues.map((i) => i.path)).not.toContain(path);
              if (result.ok) expect(strings(result.events[0]).every(storable)).toBe(true);
            } else {
              expect(result.ok).toBe(false);
              if (!result.ok && 'issues' in result) expect(result.issues.map((i) => i.path)).toContain(path);
            }
          },
        ),
        { seed: 1642, numRuns: fuzzRuns(4_000) },
      );
    },
    fuzzTimeout(),
  );

  it(
    'accepts occurredAt only within 1970 … now + 1 day (400 naming it otherwise), as UTC; receivedAt is always ours',
    () => {
      const span = 400 * 365 * 86_400_000;
      fc.assert(
        fc.property(
          fc.integer({ min: -span, max: now.getTime() + span }),
          fc.integer({ min: -1_439, max: 1_439 }),
          (ms, offset) => {
            counter.tick();
            const local = new Date(ms + offset * 60_000);
            if (Number.isNaN(local.getTime()) || local.getUTCFullYear() < 0 || local.getUTCFullYear() > 9999) return;
            const sign = offset < 0 ? '-' : '+';
            const abs = Math.abs(offset);
            const iso = `${local.toISOString().slice(0, -1)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
            const result = toInboundEvents({ ...base, occurredAt: iso, receivedAt: '1999-01-01T00:00:00Z' }, options);
            const inRange = ms >= 0 && ms <= now.getTime() + 86_400_000 && abs <= 14 * 60;
            expect(result.ok).toBe(inRange);
            if (result.ok) {
              expect(result.events[0]!.data.occurredAt).toBe(new Date(ms).toISOString());
              expect(result.events[0]!.data.receivedAt).toBe(now.toISOString());
            } else if ('issues' in result) {
              expect(result.issues).toEqual([{ path: 'occurredAt', message: expect.stringMatching(/^occurredAt /) }]);
            }
          },
        ),
        { seed: 1643, numRuns: fuzzRuns(4_000) },
      );
      for (const occurredAt of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-03-01T12:00:00+23:59']) {
        counter.tick();
        expect(toInboundEvents({ ...base, occurredAt }, options)).toMatchObject({
          ok: false,
          issues: [{ path: 'occurredAt' }],
        });
      }
    },
    fuzzTimeout(),
  );
});
