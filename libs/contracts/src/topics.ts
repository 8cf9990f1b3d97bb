/**
 * Kafka topics of the public contract (docs/architecture.md#2-the-event-contract). Deployments may only add a prefix
 * (`KAFKA_TOPIC_PREFIX`), never rename, so integrators can rely on these names.
 */
export const TOPICS = {
  inbound: 'kanal.inbound.v1',
  customers: 'kanal.customers.v1',
  routing: 'kanal.routing.v1',
  dlq: 'kanal.dlq.v1',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

/** Applies a deployment prefix (e.g. `staging.`) to a contract topic name. */
export function topicName(topic: TopicName, prefix = ''): string {
  return `${prefix}${topic}`;
}
