import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@kanal/contracts';
import { KafkajsEventBus, kafkaEnvSchema, listTopics, topicEnvSchema } from '@kanal/kafka';
import { waitFor } from '@kanal/testing';

/**
 * Every record of a contract topic, read from the beginning by a fresh consumer group (nothing
 * the services committed is touched) until as many records arrived as the partitions hold.
 */
export async function readTopic(brokers: string, prefix: string, topic: string): Promise<CloudEvent[]> {
  const env = { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix };
  const listing = await listTopics(topicEnvSchema.parse(env));
  const expected = listing.find((t) => t.topic === `${prefix}${topic}`)?.messages;
  if (expected === undefined) throw new Error(`topic ${prefix}${topic} does not exist on ${brokers}`);
  if (expected === 0) return [];
  const bus = new KafkajsEventBus({ env: kafkaEnvSchema.parse(env), service: 'kanal-fault-suite' });
  await bus.start();
  const events: CloudEvent[] = [];
  const subscription = await bus.subscribe({
    groupId: `fault-suite-read-${randomUUID()}`,
    topics: [topic],
    partitionsConcurrently: 6,
    handler: async (records) => void events.push(...records.map((r) => r.event)),
  });
  try {
    await waitFor(() => events.length >= expected, {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: () => `${topic}: ${events.length} of ${expected} records read`,
    });
  } finally {
    await subscription.stop();
    await bus.stop();
  }
  return events;
}
