import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { checkEventTime } from './event-time';
import type { Attachment, MessageData } from './events/inbound-message';
import { exceededLimit, FULL_TEXT_MAX_BYTES, jsonBytes, MESSAGE_MAX_BYTES, TEXT_MAX_BYTES } from './message-limits';
import { parseEvent } from './parse-event';
import { buildInboundEvent } from './build-event';
import { sanitizeText } from './sanitize-text';
import { storableMessage } from './storable-message';
import { STORABLE_INBOUND_REFUSALS, toStorableInbound } from './storable-inbound';

const now = new Date('2026-03-01T12:00:00.000Z');
const receivedAt = '2026-03-01T11:59:00.000Z';
const options = { receivedAt, now };

const base: MessageData = {
  channel: 'email',
  provider: 'imap',
  accountId: 'destek@example.com',
  direction: 'inbound',
  externalId: 'm-1@example.com',
  conversationRef: 'root-1@example.com',
  occurredAt: '2026-03-01T11:58:00.000Z',
  receivedAt,
  sender: { displayName: 'Ayşe', identities: [{ type: 'email', value: 'ayse@example.com' }] },
  recipient: { identities: [{ type: 'email', value: 'destek@example.com' }] },
  attachments: [],
  email: { messageId: 'm-1@example.com', references: ['root-1@example.com'] },
};

/** The two checks every published event must pass (the brief of every connector). */
function expectPublishable(data: MessageData) {
  expect(exceededLimit(data, '')).toBeUndefined();
  expect(storableMessage(data).issues).toEqual([]);
  expect(checkEventTime(data.occurredAt, now).ok).toBe(true);
  const event = buildInboundEvent('kanal.message.received.v1', data, { source: 'kanal/test' });
  const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
  if (!parsed.ok) throw new Error(`${parsed.code} ${parsed.message}`);
}

const accepted = (data: MessageData, opts: Parameters<typeof toStorableInbound>[1] = options) => {
  const result = toStorableInbound(data, opts);
  if (!result.ok) throw new Error(`refused: ${result.refusal} ${result.field}`);
  return result;
};

const PIECES = [
  'a',
  'ş',
  '€',
  '"',
  '\\',
  '\n',
  '\u0000',
  '\uD83D',
  '\uDE00',
  '😀',
  '🇹🇷',
  '👍🏽',
  'e\u0301',
  '\u202E',
  '\u2066',
];
const piece = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 12 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
);
/**
 * Hostile text of any size up to ~2 MB: a repeated piece (NULs, lone and paired surrogates, bidi,
 * escapes) plus a tail, so a cap falls at every offset of a surrogate pair across runs.
 */
const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(piece, fc.integer({ min: 0, max: 2_000_000 }), fc.string({ unit: 'binary', maxLength: 8 }))
      .map(([p, bytes, tail]) => `${p.repeat(Math.ceil(bytes / Math.max(1, jsonBytes(p))))}${tail}`),
  },
  {
    weight: 1,
    // Exactly around the caps, shifted by 0–7 units before a pair.
    arbitrary: fc
      .tuple(
        fc.constantFrom(TEXT_MAX_BYTES, FULL_TEXT_MAX_BYTES),
        fc.nat({ max: 7 }),
        fc.constantFrom('😀', '\uD83D', '\uDE00', '\u0000'),
      )
      .map(([cap, shift, tail]) => `${'x'.repeat(cap - shift)}${tail.repeat(4)}`),
  },
);

const anyDate = fc.oneof(
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '9999-12-31T23:59:59Z',
    '0000-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    'not a date',
    '',
    '2026-03-01T12:00:00+23:59',
  ),
  fc.integer({ min: -86_400_000 * 3, max: 86_400_000 * 3 }).map((ms) => new Date(now.getTime() + ms).toISOString()),
);

describe('toStorableInbound', () => {
  it('always yields storable, bounded data within every cap that keeps the text as a prefix', () => {
    fc.assert(
      fc.property(hostileText, hostileText, piece, anyDate, (text, fullText, name, occurredAt) => {
        const input: MessageData = {
          ...base,
          occurredAt,
          text,
          fullText,
          subject: name,
          sender: { ...base.sender, displayName: name },
          attachments: [{ kind: 'document', name, caption: name }],
        };
        const result = accepted(input);
        const out = result.data;
        expectPublishable(out);
        expect(sanitizeText(text).text.startsWith(out.text!)).toBe(true);
        expect(sanitizeText(fullText).text.startsWith(out.fullText ?? '')).toBe(true);
        const cut = out.text !== sanitizeText(text).text || (out.fullText ?? '') !== sanitizeText(fullText).text;
        expect(Boolean(out.flags?.['textTruncated'])).toBe(cut);
        expect(result.truncated).toBe(cut);
        // Only what was over a cap is cut.
        if (jsonBytes(sanitizeText(text).text) <= TEXT_MAX_BYTES && sanitizeText(text).text.length <= 100_000)
          expect(out.text).toBe(sanitizeText(text).text);
        const time = checkEventTime(occurredAt, now);
        expect(out.occurredAt).toBe(time.ok ? time.value : receivedAt);
        expect(Boolean(out.flags?.dateFallback)).toBe(!time.ok);
        expect(input.text).toBe(text); // never mutates its input
      }),
      { seed: 7201, numRuns: 300 },
    );
  });

  it('keeps every item whose needed ids can be stored, and refuses only those, naming the field', () => {
    const id = fc.oneof(fc.constantFrom('ok-1', 'ok-2'), fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }));
    const storable = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s && !s.includes('\u0000');
    fc.assert(
      fc.property(
        fc.record({
          externalId: id,
          conversationRef: id,
          senderIds: fc.array(id, { minLength: 1, maxLength: 3 }),
          replyTo: id,
          url: id,
          reference: id,
        }),
        (v) => {
          const input: MessageData = {
            ...base,
            externalId: v.externalId,
            conversationRef: v.conversationRef,
            sender: { identities: v.senderIds.map((value) => ({ type: 'external' as const, value: `crm:${value}` })) },
            replyTo: { externalId: v.replyTo },
            attachments: [{ kind: 'image', url: v.url }],
            email: { messageId: 'm-1@example.com', references: ['root-1@example.com', v.reference] },
          };
          const result = toStorableInbound(input, options);
          const expected = !storable(v.externalId)
            ? 'externalId'
            : !storable(v.conversationRef)
              ? 'conversationRef'
              : !v.senderIds.some(storable)
                ? 'sender.identities'
                : undefined;
          if (expected) return void expect(result).toMatchObject({ ok: false, field: expected });
          if (!result.ok) throw new Error(`refused ${result.field}`);
          expectPublishable(result.data);
          expect(result.data.sender.identities.map((i) => i.value)).toEqual(
            v.senderIds.filter(storable).map((s) => `crm:${s}`),
          );
          expect(Boolean(result.data.flags?.identityFallback)).toBe(!v.senderIds.every(storable));
          const dropped = [v.replyTo, v.url, v.reference].some((s) => !storable(s));
          expect(Boolean(result.data.flags?.['identifierDropped'])).toBe(dropped);
        },
      ),
      { seed: 7202, numRuns: 3_000 },
    );
  });

  it('cuts at every position of a surrogate pair without leaving half of it', () => {
    for (let shift = 0; shift < 8; shift++) {
      for (const field of ['text', 'fullText'] as const) {
        const cap = field === 'text' ? TEXT_MAX_BYTES : FULL_TEXT_MAX_BYTES;
        const value = `${'x'.repeat(cap - shift)}${'😀'.repeat(3)}`;
        const out = accepted({ ...base, text: 'kısa', [field]: value }).data;
        expectPublishable(out);
        expect(out[field]).toMatch(/^x+(?:😀)*$/u);
        expect(out.flags).toMatchObject({ textTruncated: true });
        expect(out.flags?.['textSanitized']).toBeUndefined();
      }
    }
  });

  it('drops an identity it cannot store while the party keeps another, and refuses a party left with none', () => {
    const two = {
      ...base,
      sender: {
        identities: [
          { type: 'email' as const, value: 'ay\u0000se@example.com' },
          { type: 'external' as const, value: 'crm:42' },
        ],
      },
    };
    const kept = accepted(two).data;
    expect(kept.sender.identities).toEqual([{ type: 'external', value: 'crm:42' }]);
    expect(kept.flags).toMatchObject({ identityFallback: true });
    expectPublishable(kept);

    const lone = { ...base, sender: { identities: [{ type: 'whatsapp-bsuid' as const, value: 'TR.\uD83D' }] } };
    expect(toStorableInbound(lone, options)).toEqual({
      ok: false,
      refusal: STORABLE_INBOUND_REFUSALS.identity,
      field: 'sender.identities',
      message: expect.stringContaining('NUL character or an unpaired UTF-16 surrogate'),
    });
  });

  it.each([
    ['externalId', { externalId: 'm\u0000' }, STORABLE_INBOUND_REFUSALS.externalId],
    ['conversationRef', { conversationRef: '\uDE00root' }, STORABLE_INBOUND_REFUSALS.conversationRef],
    ['accountId', { accountId: 'a\u0000' }, STORABLE_INBOUND_REFUSALS.accountId],
    ['target.externalId', { target: { externalId: 'x\u0000' } }, STORABLE_INBOUND_REFUSALS.target],
    ['email.messageId', { email: { messageId: 'm\u0000', references: [] } }, STORABLE_INBOUND_REFUSALS.identifier],
  ])('refuses an unstorable %s, naming it', (field, fields, refusal) => {
    const result = toStorableInbound({ ...base, ...fields }, options);
    expect(result).toMatchObject({ ok: false, refusal, field });
    if (!result.ok) expect(storableMessage({ message: result.message }).flags).toEqual({});
  });

  it('leaves out optional identifiers it cannot store, flagged, and keeps the message', () => {
    const out = accepted({
      ...base,
      replyTo: { externalId: 'r\u0000' },
      interactive: { id: 'btn\uD800', title: 'Evet' },
      group: { id: 'g\u0000', name: 'Aile' },
      attachments: [{ kind: 'image', url: 'https://cdn.example/\u0000', caption: 'foto' }],
      metadata: { 'bad\u0000key': 'x', good: 'y' },
      email: { messageId: 'm-1@example.com', inReplyTo: 'p\u0000', references: ['root-1@example.com', 'q\uDC00'] },
    }).data;
    expect(out).not.toHaveProperty('replyTo');
    expect(out).not.toHaveProperty('interactive');
    expect(out).not.toHaveProperty('group');
    expect(out.attachments).toEqual([{ kind: 'image', caption: 'foto' }]);
    expect(out.metadata).toEqual({ good: 'y' });
    expect(out.email).toEqual({ messageId: 'm-1@example.com', references: ['root-1@example.com'] });
    expect(out.flags).toMatchObject({ identifierDropped: true });
    expectPublishable(out);
  });

  it('attaches the kept original when a text was cut, once, and not otherwise', () => {
    const original: Attachment = {
      kind: 'other',
      mimeType: 'message/rfc822',
      name: 'original.eml',
      size: 3_000_000,
      sha256: 'a'.repeat(64),
      blobRef: `blob:sha256/${'a'.repeat(64)}`,
    };
    const big = { ...base, fullText: 'ğ'.repeat(1_000_000), text: 'Merhaba' };
    const first = accepted(big, { ...options, original });
    expect(first.truncated).toBe(true);
    expect(first.data.attachments).toEqual([original]);
    expect(first.data.flags).toMatchObject({ textTruncated: true });
    expectPublishable(first.data);
    // A second pass over its own output changes nothing.
    expect(accepted(first.data, { ...options, original }).data).toEqual(first.data);
    expect(accepted({ ...base, text: 'Merhaba' }, { ...options, original }).data.attachments).toEqual([]);
  });

  it('fits the whole message under MESSAGE_MAX_BYTES: fullText first, then captions, text last, then metadata and older References', () => {
    const captions: Attachment[] = Array.from({ length: 90 }, () => ({ kind: 'image', caption: 'c'.repeat(10_000) }));
    const over = accepted({ ...base, attachments: captions, fullText: 'f'.repeat(500_000), text: 't'.repeat(100_000) });
    expectPublishable(over.data);
    expect(jsonBytes(over.data)).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
    expect(over.data.attachments).toHaveLength(90);
    expect(over.data.fullText).toBeUndefined(); // 500 KB of the ~740 KB excess, all of it
    expect(over.data.attachments.filter((a) => a.caption?.length === 10_000).length).toBeLessThan(90);
    expect(over.data.text?.length).toBe(100_000); // what the customer wrote this time stays whole
    expect(over.data.flags).toMatchObject({ textTruncated: true });

    const metadata = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, 'v'.repeat(1_000)]));
    const references = Array.from({ length: 500 }, (_, i) => `<${'r'.repeat(970)}${i}@example.com>`);
    const trimmed = accepted({ ...base, metadata, email: { messageId: 'm-1@example.com', references } }).data;
    expectPublishable(trimmed);
    expect(trimmed.flags).toMatchObject({ messageTrimmed: true });
    expect(trimmed.email!.references[0]).toBe(references[0]);
  });

  it('refuses what cannot fit even with every text cut', () => {
    const heavy: Attachment[] = Array.from({ length: 100 }, (_, i) => ({
      kind: 'document',
      url: `https://cdn.example/${i}/${'u'.repeat(4_000)}`,
      providerMediaId: 'p'.repeat(1_024),
      blobRef: 'b'.repeat(1_024),
      name: 'n'.repeat(1_024),
      title: 't'.repeat(1_000),
      address: 'a'.repeat(1_000),
    }));
    expect(toStorableInbound({ ...base, attachments: heavy }, options)).toMatchObject({
      ok: false,
      refusal: STORABLE_INBOUND_REFUSALS.tooLarge,
      field: '(root)',
    });
  });

  it('falls back to receivedAt for times outside 1970 … now + 1 day, as UTC otherwise, and works on state events', () => {
    for (const occurredAt of ['9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '2026-03-03T12:00:00Z', 'garbage']) {
      expect(accepted({ ...base, occurredAt }).data).toMatchObject({
        occurredAt: receivedAt,
        flags: { dateFallback: true },
      });
    }
    expect(accepted({ ...base, occurredAt: '2026-03-01T14:00:00+03:00' }).data.occurredAt).toBe(
      '2026-03-01T11:00:00.000Z',
    );
    const edit = toStorableInbound(
      { ...base, target: { externalId: 'm-0' }, text: `${'\u0000'}düzeltme`, occurredAt: '9999-01-01T00:00:00Z' },
      options,
    );
    expect(edit).toMatchObject({
      ok: true,
      data: { text: 'düzeltme', flags: { textSanitized: true, dateFallback: true } },
    });
  });
});
