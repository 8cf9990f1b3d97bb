import type { CloudEvent } from './cloud-event';
import type { EventData, EventType, KanalEvent } from './event-types';
import { inboundEventId } from './event-id';
import type { InboundData } from './events/inbound-message';

export interface BuildEventInput<T extends EventType> {
  type: T;
  id: string;
  /** `kanal/<service>` (or `kanal/<service>/<account>`). */
  source: string;
  subject?: string;
  time?: string;
  data: EventData<T>;
}

export function buildEvent<T extends EventType>(input: BuildEventInput<T>): KanalEvent<T> {
  const event: CloudEvent<T, EventData<T>> = {
    specversion: '1.0',
    id: input.id,
    source: input.source,
    type: input.type,
    time: input.time ?? new Date().toISOString(),
    ...(input.subject ? { subject: input.subject } : {}),
    datacontenttype: 'application/json',
    data: input.data,
  };
  return event as KanalEvent<T>;
}

/** The partition key of the inbound topic (docs/architecture.md#2-the-event-contract): `channel:accountId:conversationRef`. */
export function inboundKey(data: Pick<InboundData, 'channel' | 'accountId' | 'conversationRef'>): string {
  return `${data.channel}:${data.accountId}:${data.conversationRef}`;
}

export type InboundEventType =
  | 'kanal.message.received.v1'
  | 'kanal.message.sent.v1'
  | 'kanal.message.edited.v1'
  | 'kanal.message.deleted.v1'
  | 'kanal.reaction.changed.v1'
  | 'kanal.message.status.v1'
  | 'kanal.attachment.stored.v1';

/**
 * A connector's event: deterministic id from `channel:accountId:externalId[:suffix]` (so a
 * provider redelivery gets the same id), subject = the inbound key, time = the provider's time.
 */
export function buildInboundEvent<T extends InboundEventType>(
  type: T,
  data: EventData<T>,
  options: { source: string; idSuffix?: string },
): KanalEvent<T> {
  const d = data as InboundData;
  return buildEvent({
    type,
    id: inboundEventId(d.channel, d.accountId, d.externalId, options.idSuffix),
    source: options.source,
    subject: inboundKey(d),
    time: d.occurredAt,
    data,
  });
}
