import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { KafkaMessage } from 'kafkajs';
import { dlqRecordDataSchema } from '@kanal/contracts';
import { isTruncatedLetter, toDlqMessage } from './dlq-record';
import { MAX_RECORD_BYTES, recordBytes } from './record-size';

const record = (value: Buffer, key = 'api:shop:c-1'): KafkaMessage =>
  ({
    key: Buffer.from(key),
    value,
    headers: {
      traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01',
      ce_type: 'kanal.message.received.v1',
    },
    offset: '42',
    timestamp: '0',
    attributes: 0,
  }) as KafkaMessage;

function letterOf(value: Buffer, key?: string) {
  const message = toDlqMessage(
    {
      sourceTopic: 'kanal.inbound.v1',
      partition: 2,
      message: record(value, key),
      code: 'TEST.POISON',
      reason: 'poison',
      attempts: 5,
      consumerGroup: 'g',
    },
    'kanal/test',
    new Date('2026-01-01T00:00:00Z'),
  );
  const data = dlqRecordDataSchema.parse(JSON.parse(message.value as string).data);
  return { message, data };
}

/** A CloudEvent-shaped value whose text is `chars` (JSON-escaped once in the record, twice in the letter). */
const eventWith = (chars: string) =>
  Buffer.from(JSON.stringify({ type: 'kanal.message.received.v1', data: { fullText: chars } }));

describe('toDlqMessage', () => {
  it('carries a small value whole', () => {
    const value = eventWith('Merhaba "dünya"');
    const { data, message } = letterOf(value);
    expect(data).toMatchObject({ value: value.toString('utf8'), valueEncoding: 'utf8', offset: '42', partition: 2 });
    expect(data.truncated).toBeUndefined();
    expect(isTruncatedLetter(message)).toBe(false);
    expect(message.key).toEqual(Buffer.from('api:shop:c-1'));
  });

  it.each([
    ['half a million quotes (each grows to four bytes)', eventWith('"'.repeat(450_000))],
    ['control characters (each grows to twelve bytes)', eventWith('\u0001'.repeat(150_000))],
    ['emoji and Turkish letters near the limit', eventWith('ğ😀'.repeat(166_600))],
    ['bytes that are not UTF-8 (base64)', Buffer.alloc(990_000, 0xff)],
  ])('always fits the broker, truncated with the hash and size of the whole value: %s', (_name, value) => {
    const { message, data } = letterOf(value);
    expect(recordBytes(message)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(data).toMatchObject({
      truncated: true,
      size: value.length,
      sha256: createHash('sha256').update(value).digest('hex'),
    });
    const prefix = Buffer.from(data.value, data.valueEncoding);
    expect(prefix.length).toBeGreaterThan(100_000);
    expect(value.subarray(0, prefix.length).equals(prefix)).toBe(true);
  });

  it('drops an oversized key from a truncated letter rather than exceed the limit', () => {
    const { message, data } = letterOf(eventWith('"'.repeat(400_000)), 'k'.repeat(150_000));
    expect(recordBytes(message)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(data).toMatchObject({ truncated: true, key: null });
  });
});
