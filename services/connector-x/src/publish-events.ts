import { inboundKey, TOPICS } from '@kanal/contracts';
import type { EventPublisher } from '@kanal/kafka';
import type { Publishable } from './dead-letters';

/**
 * Events to `kanal.inbound.v1` keyed by conversation and dead letters to `kanal.dlq.v1` keyed by
 * their subject, in one publish; resolves after acks=all, so X is told OK only after both.
 */
export function xPublisher(bus: EventPublisher) {
  return (out: Publishable, traceparent?: string) => {
    const headers = traceparent ? { headers: { traceparent } } : {};
    return bus.publish([
      ...out.events.map((event) => ({ topic: TOPICS.inbound, key: inboundKey(event.data), event, ...headers })),
      ...out.deadLetters.map((event) => ({
        topic: TOPICS.dlq,
        key: event.subject ?? event.data.key ?? '',
        event,
        ...headers,
      })),
    ]);
  };
}
