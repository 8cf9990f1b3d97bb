import type { KafkaMessage, Message } from 'kafkajs';
import { v5 as uuidv5 } from 'uuid';
import type { CloudEvent } from '@kanal/contracts';
import { encodeRecord, headersToStrings } from './record-codec';

/** Fixed namespace so a redelivered failure dead-letters under the same event id. */
const DLQ_NAMESPACE = '0d9a3f4e-5a3b-4c1d-9e27-6b8f2a1c7d40';
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface DeadLetter {
  sourceTopic: string;
  partition: number;
  message: KafkaMessage;
  code: string;
  reason: string;
  attempts: number;
  consumerGroup: string;
}

/** The DLQ record: the original bytes (UTF-8 or base64), where they came from, and why. */
export function toDlqMessage(letter: DeadLetter, source: string): Message {
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
  const key = message.key ? message.key.toString('utf8') : null;
  const event: CloudEvent = {
    specversion: '1.0',
    id: uuidv5(`dlq:${letter.consumerGroup}:${letter.sourceTopic}:${letter.partition}:${message.offset}`, DLQ_NAMESPACE),
    source,
    type: 'kanal.dlq.record.v1',
    time: new Date().toISOString(),
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
      headers: headersToStrings(message.headers),
      value: text,
      valueEncoding,
      failedAt: new Date().toISOString(),
      attempts: letter.attempts,
      consumerGroup: letter.consumerGroup,
    },
  };
  const original = headersToStrings(message.headers);
  const encoded = encodeRecord({ topic: '', key: key ?? '', event, headers: pick(original, 'traceparent') });
  // Keep the original key byte-for-byte (null stays null) so replay lands on the same partition.
  return { ...encoded, key: message.key ?? null };
}

function pick(headers: Record<string, string>, name: string): Record<string, string> {
  return headers[name] ? { [name]: headers[name] } : {};
}
