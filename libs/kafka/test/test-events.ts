import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@kanal/contracts';

/** A schema-valid inbound message event, distinct per `n`. */
export function inboundEvent(n: number, run = randomUUID()): CloudEvent {
  const now = new Date().toISOString();
  return {
    specversion: '1.0',
    id: `${run}-${n}`,
    source: 'kanal/test',
    type: 'kanal.message.received.v1',
    time: now,
    subject: `api:acme:conv-${n % 10}`,
    datacontenttype: 'application/json',
    data: {
      channel: 'api',
      provider: 'http',
      accountId: 'acme',
      direction: 'inbound',
      externalId: `m-${n}`,
      conversationRef: `conv-${n % 10}`,
      sender: { identities: [{ type: 'external', value: `shop:${n % 10}` }] },
      text: `message ${n}`,
      occurredAt: now,
      receivedAt: now,
    },
  };
}
