import { createHash } from 'node:crypto';
import type { KafkaMessage, Message } from 'kafkajs';
import { v5 as uuidv5 } from 'uuid';
import type { CloudEvent } from '@kanal/contracts';
import { jsonPrefix } from './json-prefix';
import { encodeRecord, headersToStrings } from './record-codec';
import { MAX_RECORD_BYTES, recordBytes } from './record-size';

/** Fixed namespace so a redelivered failure dead-letters under the same event id. */
const DLQ_NAMESPACE = '0d9a3f4e-5a3b-4c1d-9e27-6b8f2a1c7d40';
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** A truncated letter keeps key and headers only up to these sizes (replay re-reads the original anyway). */
const TRUNCATED_KEY_BYTES = 4_096;
const TRUNCATED_HEADERS_BYTES = 16_384;
/** Slack for rounding in the size estimate of the final record. */
const SLACK_BYTES = 256;

const truncatedLetters = new WeakSet<Message>();

/** Whether toDlqMessage had to cut this letter's value (it is counted and alerted on). */
export function isTruncatedLetter(message: Message): boolean {
  return truncatedLetters.has(message);
}

export interface DeadLetter {
  sourceTopic: string;
  partition: number;
  message: KafkaMessage;
  code: string;
  reason: string;
  attempts: number;
  consumerGroup: string;
}

interface Carried {
  key: Buffer | null;
  headers: Record<string, string>;
  value: string;
  valueEncoding: 'utf8' | 'base64';
  truncation?: { sha256: string; size: number };
}

/**
 * The DLQ record: the original bytes (UTF-8 or base64), where they came from, and why. It always
 * fits the broker: when the original wrapped in the letter would not (a value near the limit, or
 * one that grows when JSON-escaped once more), the letter carries a prefix with `truncated: true`
 * and the sha256 and size of the whole value; `kanal dlq replay` re-reads the original from its
 * source topic while Kafka retains it.
 */
export function toDlqMessage(letter: DeadLetter, source: string, now = new Date()): Message {
  const { message } = letter;
  const value = message.value ?? Buffer.alloc(0);
  let text: string;
  let valueEncoding: 'utf8' | 'base64' = 'utf8';
  try {
    text = utf8.decode(value);
  } catch {
    text = value.toString('base64');
    valueEncoding = 'base64';
  }
  const headers = headersToStrings(message.headers);
  const whole = encode(letter, source, now, { key: message.key ?? null, headers, value: text, valueEncoding });
  if (recordBytes(whole) <= MAX_RECORD_BYTES) return whole;

  const truncation = { sha256: createHash('sha256').update(value).digest('hex'), size: value.length };
  const keyFits = (message.key?.length ?? 0) <= TRUNCATED_KEY_BYTES;
  const carried: Carried = {
    key: keyFits ? (message.key ?? null) : null,
    headers:
      Buffer.byteLength(JSON.stringify(headers)) <= TRUNCATED_HEADERS_BYTES ? headers : pick(headers, 'traceparent'),
    value: '',
    valueEncoding,
    truncation,
  };
  const room = MAX_RECORD_BYTES - recordBytes(encode(letter, source, now, carried)) - SLACK_BYTES;
  if (valueEncoding === 'utf8') carried.value = jsonPrefix(text, Math.max(0, room));
  // base64 has no escapes; whole 3-byte groups keep the prefix decodable.
  else carried.value = value.subarray(0, Math.max(0, Math.floor(room / 4) * 3)).toString('base64');
  const truncated = encode(letter, source, now, carried);
  truncatedLetters.add(truncated);
  return truncated;
}

function encode(letter: DeadLetter, source: string, now: Date, carried: Carried): Message {
  const { message } = letter;
  const key = carried.key ? carried.key.toString('utf8') : null;
  const at = now.toISOString();
  const event: CloudEvent = {
    specversion: '1.0',
    id: uuidv5(
      `dlq:${letter.consumerGroup}:${letter.sourceTopic}:${letter.partition}:${message.offset}`,
      DLQ_NAMESPACE,
    ),
    source,
    type: 'kanal.dlq.record.v1',
    time: at,
    subject: `${letter.sourceTopic}/${letter.partition}/${message.offset}`,
    datacontenttype: 'application/json',
    data: {
      origin: 'consumer',
      code: letter.code,
      message: letter.reason.slice(0, 4_000),
      sourceTopic: letter.sourceTopic,
      partition: letter.partition,
      offset: message.offset,
      key,
      headers: carried.headers,
      value: carried.value,
      valueEncoding: carried.valueEncoding,
      failedAt: at,
      attempts: letter.attempts,
      consumerGroup: letter.consumerGroup,
      ...(carried.truncation ? { truncated: true, ...carried.truncation } : {}),
    },
  };
  const encoded = encodeRecord({ topic: '', key: key ?? '', event, headers: pick(carried.headers, 'traceparent') });
  // Keep the original key byte-for-byte (null stays null) so replay lands on the same partition.
  return { ...encoded, key: carried.key };
}

function pick(headers: Record<string, string>, name: string): Record<string, string> {
  return headers[name] ? { [name]: headers[name] } : {};
}
