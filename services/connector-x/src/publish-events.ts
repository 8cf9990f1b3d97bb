import { inboundKey, TOPICS } from '@kanal/contracts';
import type { EventPublisher } from '@kanal/kafka';
import type { XMessageEvent } from './x/build-x-message';

/** Publishes to `kanal.inbound.v1` keyed by conversation; resolves after acks=all. */
export function inboundPublisher(bus: EventPublisher) {
  return (events: XMessageEvent[], traceparent?: string) =>
    bus.publish(
      events.map((event) => ({
        topic: TOPICS.inbound,
        key: inboundKey(event.data),
        event,
        ...(traceparent ? { headers: { traceparent } } : {}),
      })),
    );
}
