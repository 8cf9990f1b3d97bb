import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { normalizeWebhook } from '../normalize/normalize-webhook';
import type { NormalizedBatch } from '../normalize/normalized-batch';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const ctx = { receivedAt: '2026-11-25T08:00:00.000Z' };
const run = (raw: Buffer | string) => normalizeWebhook('whatsapp-cloud', Buffer.from(raw), ctx);
const PHONE_ID = '106540352242922';
const letters = (batch: NormalizedBatch) => batch.deadLetters.map((d) => [d.code, d.item.locator]);
const payload = (batch: NormalizedBatch, code: string) =>
  JSON.parse(batch.deadLetters.find((d) => d.code === code)!.item.payload());

describe('WhatsApp items that cannot become events', () => {
  const batch = run(fixture('bad-items.json'));

  it('dead-letters each with a stable code and where it sat, and keeps every other item', () => {
    const at = 'entry[0].changes[0].value';
    expect(letters(batch)).toEqual([
      ['META.NO_SENDER_IDENTITY', `${at}.messages[3]`],
      ['META.INVALID_ITEM', `${at}.messages[4]`],
      ['META.UNKNOWN_STATUS', `${at}.statuses[0]`],
      ['META.NO_RECIPIENT', `${at}.statuses[1]`],
      ['META.PROVIDER_ERROR', `${at}.errors[0]`],
    ]);
    expect(batch.events).toHaveLength(4);
    expect(batch.skipped).toEqual([]);
    expect(batch.deadLetters.every((d) => d.item.accountId === PHONE_ID)).toBe(true);
  });

  it('carries the body reduced to the one item, with its metadata, as Meta sent them', () => {
    expect(payload(batch, 'META.UNKNOWN_STATUS')).toEqual({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '908505551234', phone_number_id: PHONE_ID },
                statuses: [
                  { id: 'wamid.OUTBOUND09', status: 'deleted', timestamp: '1764051103', recipient_id: '905321234567' },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(payload(batch, 'META.PROVIDER_ERROR').entry[0].changes[0].value.errors).toEqual([
      {
        code: 131000,
        title: 'Something went wrong',
        message: 'Something went wrong',
        error_data: { details: 'Unknown error. Please retry later.' },
      },
    ]);
  });

  it('keeps the sender’s contact, and only theirs, in a message letter', () => {
    const body = JSON.parse(fixture('two-messages-contacts-reversed.json').toString('utf8'));
    // A reply reference longer than the contract's id limit (ids are never cut: a cut id could equal another).
    body.entry[0].changes[0].value.messages[1].context = { id: `wamid.${'y'.repeat(1_024)}` };
    const result = run(JSON.stringify(body));
    expect(letters(result)).toEqual([['META.INVALID_EVENT', 'entry[0].changes[0].value.messages[1]']]);
    expect(result.deadLetters[0]!.message).toBe(
      'kanal.message.received.v1: replyTo.externalId Too big: expected string to have <=1024 characters',
    );
    const value = JSON.parse(result.deadLetters[0]!.item.payload()).entry[0].changes[0].value;
    expect(value.contacts).toEqual([{ profile: { name: 'Mehmet Kaya' }, wa_id: '905441234567' }]);
    expect(value.messages.map((m: { id: string }) => m.id)).toEqual(['wamid.MEHMET0001']);
    expect(result.deadLetters[0]!.item.key).toBe(`whatsapp:${PHONE_ID}:905441234567`);
    expect(result.events.map((e) => (e.event.data as { externalId: string }).externalId)).toEqual([
      'wamid.ZEYNEP0001',
      'wamid.ALI0001',
    ]);
  });

  it('gives each letter a payload the mapper maps to the same outcome again (replayable as is)', () => {
    for (const letter of batch.deadLetters) {
      const again = run(letter.item.payload());
      expect(again.events).toEqual([]);
      expect(again.deadLetters.map((d) => d.code)).toEqual([letter.code]);
      expect(again.deadLetters[0]!.item.payload()).toBe(letter.item.payload());
    }
  });
});

describe('WhatsApp change fields and malformed envelopes', () => {
  it('skips fields that are not messages and the dashboard test, and dead-letters unknown fields', () => {
    const batch = run(fixture('fields.json'));
    expect(batch.skipped).toEqual([
      { reason: 'non-message-field', locator: 'entry[0].changes[0]', detail: 'message_template_status_update' },
      { reason: 'non-message-field', locator: 'entry[0].changes[1]', detail: 'account_update' },
      { reason: 'test-webhook', locator: 'entry[1]' },
    ]);
    expect(letters(batch)).toEqual([['META.UNSUPPORTED_FIELD', 'entry[0].changes[2]']]);
    const history = JSON.parse(batch.deadLetters[0]!.item.payload());
    expect(history.entry).toEqual([
      {
        id: '102290129340398',
        time: 1764051200,
        changes: [JSON.parse(fixture('fields.json').toString()).entry[0].changes[2]],
      },
    ]);
    expect(batch.deadLetters[0]!.item.accountId).toBe(PHONE_ID);
    expect(batch.events.map((e) => e.event.type)).toEqual(['kanal.message.sent.v1']);
  });

  it('dead-letters an entry, a change or a value it cannot read, and answers the rest', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        'not an entry',
        { id: '1', changes: { field: 'messages' } },
        {
          id: '2',
          changes: [
            { value: {} },
            { field: 'messages', value: { messages: [] } },
            { field: 'messages', value: { metadata: { phone_number_id: PHONE_ID }, message_echoes: [{ id: 'x' }] } },
          ],
        },
      ],
    };
    const batch = run(JSON.stringify(body));
    expect(batch.deadLetters.map((d) => [d.code, d.item.locator, d.message])).toEqual([
      ['META.INVALID_ITEM', 'entry[0]', 'entry without a changes list'],
      ['META.INVALID_ITEM', 'entry[1]', 'entry without a changes list'],
      ['META.INVALID_ITEM', 'entry[2].changes[0]', 'change without a field'],
      ['META.INVALID_ITEM', 'entry[2].changes[1]', 'change value without metadata.phone_number_id'],
      [
        'META.UNSUPPORTED_FIELD',
        'entry[2].changes[2].value.message_echoes[0]',
        'messages.message_echoes is not mapped',
      ],
    ]);
    expect(JSON.parse(batch.deadLetters[0]!.item.payload())).toEqual({
      object: 'whatsapp_business_account',
      entry: ['not an entry'],
    });
  });

  it('still refuses a body that is not a WhatsApp webhook at all', () => {
    expect(() => run('{"object":"whatsapp_business_account","entry":{}}')).toThrow(
      expect.objectContaining({ code: 'META.INVALID_BODY' }),
    );
    expect(() => run('[1]')).toThrow(expect.objectContaining({ code: 'META.INVALID_BODY' }));
  });
});
