import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { parseEvent } from './parse-event';
import { DEAD_LETTER_INLINE_BYTES, buildProviderDeadLetter, deadLetterNeedsBlob } from './provider-dead-letter';

const base = {
  source: 'kanal/connector-meta',
  provider: 'whatsapp-cloud' as const,
  channel: 'whatsapp' as const,
  accountId: '1029384756',
  code: 'META.UNMAPPED_ITEM',
  message: 'message without id',
  contentType: 'application/json',
  receivedAt: '2026-12-03T10:00:00.000Z',
};

describe('buildProviderDeadLetter', () => {
  it('carries the raw payload inline with its hash, size and account, and is a valid contract event', () => {
    const payload = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1' }] });
    const event = buildProviderDeadLetter({ ...base, payload, item: 'entry[0].changes[0].value.messages[0]' });
    expect(parseEvent(event)).toMatchObject({ ok: true });
    expect(event.data).toMatchObject({
      origin: 'provider',
      provider: 'whatsapp-cloud',
      accountId: '1029384756',
      value: payload,
      valueEncoding: 'utf8',
      sha256: createHash('sha256').update(payload).digest('hex'),
      size: Buffer.byteLength(payload),
      item: 'entry[0].changes[0].value.messages[0]',
      receivedAt: base.receivedAt,
    });
    expect(event.data.truncated).toBeUndefined();
  });

  it('gives a redelivered item the same id, and another code or payload another id', () => {
    const a = buildProviderDeadLetter({ ...base, payload: '{"a":1}' });
    expect(buildProviderDeadLetter({ ...base, payload: '{"a":1}' }).id).toBe(a.id);
    expect(buildProviderDeadLetter({ ...base, payload: '{"a":2}' }).id).not.toBe(a.id);
    expect(buildProviderDeadLetter({ ...base, payload: '{"a":1}', code: 'META.OTHER' }).id).not.toBe(a.id);
  });

  it('keeps bytes that are not UTF-8 as base64', () => {
    const payload = Buffer.from([0x46, 0x72, 0x6f, 0x6d, 0x3a, 0xfe, 0xff]);
    const event = buildProviderDeadLetter({ ...base, payload, contentType: 'message/rfc822' });
    expect(event.data.valueEncoding).toBe('base64');
    expect(Buffer.from(event.data.value, 'base64')).toEqual(payload);
  });

  it('measures JSON escaping: quotes that double in size need the blob store', () => {
    const quotes = '"'.repeat(DEAD_LETTER_INLINE_BYTES / 2 + 10);
    expect(deadLetterNeedsBlob(quotes)).toBe(true);
    expect(deadLetterNeedsBlob('x'.repeat(DEAD_LETTER_INLINE_BYTES - 10))).toBe(false);
  });

  it('always fits the broker: without a blob store a large payload is truncated, flagged, and hashed whole', () => {
    const payload = Buffer.from('"'.repeat(600_000));
    const event = buildProviderDeadLetter({ ...base, payload });
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(1_000_000);
    expect(event.data).toMatchObject({ truncated: true, size: 600_000, valueEncoding: 'base64' });
    expect(event.data.sha256).toBe(createHash('sha256').update(payload).digest('hex'));
  });

  it('names the blob instead of carrying the payload when the caller stored it', () => {
    const ref = `blob:sha256/${'a'.repeat(64)}`;
    const event = buildProviderDeadLetter({ ...base, payload: 'x'.repeat(10), blobRef: ref });
    expect(event.data).toMatchObject({ blobRef: ref, value: '', size: 10 });
  });
});
