import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { parseEvent } from '@kanal/contracts';
import { BUS_ERROR_CODES } from './errors';
import type { IncomingRecord, OutgoingRecord } from './event-bus.port';
import { childTraceparent, currentTraceparent, isTraceparent, newTraceparent } from '@kanal/observability';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** CloudEvents Kafka binding (structured mode) plus W3C trace context. */
export function encodeRecord(record: OutgoingRecord): Message {
  const given = record.headers?.['traceparent'];
  const traceparent = isTraceparent(given) ? given : childTraceparent(currentTraceparent());
  return {
    key: record.key,
    value: record.value ?? JSON.stringify(record.event),
    headers: {
      ...record.headers,
      'content-type': 'application/cloudevents+json; charset=UTF-8',
      ce_type: record.event.type,
      ce_id: record.event.id,
      traceparent,
    },
  };
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

export type DecodeResult =
  | { ok: true; record: IncomingRecord }
  | { ok: false; code: string; message: string; key: string | null; headers: Record<string, string> };

export function decodeRecord(topic: string, partition: number, message: KafkaMessage): DecodeResult {
  const headers = headersToStrings(message.headers);
  const key = message.key ? message.key.toString('utf8') : null;
  const fail = (code: string, text: string): DecodeResult => ({ ok: false, code, message: text, key, headers });
  if (!message.value || message.value.length === 0) return fail(BUS_ERROR_CODES.undecodable, 'record has no value');
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(message.value));
  } catch (error) {
    return fail(BUS_ERROR_CODES.undecodable, `value is not UTF-8 JSON: ${withoutExcerpt((error as Error).message)}`);
  }
  const parsed = parseEvent(raw);
  if (!parsed.ok) return fail(parsed.code, parsed.message);
  const traceparent = isTraceparent(headers['traceparent']) ? headers['traceparent'] : newTraceparent();
  return {
    ok: true,
    record: { topic, partition, offset: message.offset, key, headers, traceparent, event: parsed.event },
  };
}

/**
 * V8 quotes the record value in JSON.parse errors (`Unexpected token 'K', "Kartımdan "... is not
 * valid JSON`); that excerpt may be a phone number, an email or message text and ends up in log
 * lines, so it is cut (the DLQ record keeps the original bytes for whoever needs them).
 */
function withoutExcerpt(message: string): string {
  // By hand, not a regex: `\s*` before a quote is quadratic on long whitespace runs.
  const quote = message.indexOf('"');
  if (quote < 0) return message;
  let head = message.slice(0, quote);
  if (head.endsWith('...')) head = head.slice(0, -3);
  head = head.trimEnd();
  return head.endsWith(',') ? head.slice(0, -1) : head;
}
