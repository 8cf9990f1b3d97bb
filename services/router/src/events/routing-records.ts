import {
  buildEvent,
  TOPICS,
  type ConversationAssignedData,
  type ConversationClosedData,
  type ConversationUpdatedData,
  type EventType,
  type IncidentSuspectedData,
  type SlaBreachedData,
} from '@kanal/contracts';
import type { OutgoingRecord } from '@kanal/kafka';

export const ROUTER_SOURCE = 'kanal/router';

interface DataByType {
  'kanal.conversation.assigned.v1': ConversationAssignedData;
  'kanal.conversation.updated.v1': ConversationUpdatedData;
  'kanal.sla.breached.v1': SlaBreachedData;
  'kanal.conversation.closed.v1': ConversationClosedData;
  'kanal.incident.suspected.v1': IncidentSuspectedData;
}

/**
 * A routing event ready to publish: keyed by customer id (per-customer order on
 * `kanal.routing.v1`), with the deterministic id its cause gave it.
 */
export function routingRecord<T extends keyof DataByType & EventType>(
  type: T,
  id: string,
  key: string,
  data: DataByType[T],
  time: string,
): OutgoingRecord {
  return {
    topic: TOPICS.routing,
    key,
    event: buildEvent({ type, id, source: ROUTER_SOURCE, subject: key, time, data: data as never }),
  };
}
