import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { TOPICS } from '@kanal/contracts';
import { broker, waitFor } from '@kanal/testing';
import { createTopics, KafkajsEventBus, kafkaEnvSchema, topicEnvSchema, type IncomingRecord } from '../src/index';
import { inboundEvent } from './test-events';

// A broker of its own: stopping the shared one would break the suites running beside this one.
const node = broker(19192, { reset: true });
const env = kafkaEnvSchema.parse({ KAFKA_BROKERS: node.brokers, KAFKA_PUBLISH_TIMEOUT_MS: '3000' });

beforeAll(async () => {
  await node.start();
  await createTopics(topicEnvSchema.parse({ KAFKA_BROKERS: node.brokers, KAFKA_TOPIC_PARTITIONS: '3' }));
}, 120_000);
afterAll(() => node.stop(), 60_000);

it('loses nothing when the broker stops and starts mid-stream', async () => {
  const producerBus = new KafkajsEventBus({ env, service: 'restart-producer' });
  const consumerBus = new KafkajsEventBus({ env, service: 'restart-consumer' });
  await producerBus.start();
  await consumerBus.start();
  const seen: IncomingRecord[] = [];
  await consumerBus.subscribe({
    groupId: `restart-${randomUUID()}`,
    topics: [TOPICS.inbound],
    handler: async (records) => void seen.push(...records),
  });

  const run = randomUUID();
  const total = 4_000;
  let failedAttempts = 0;
  let sawUnhealthy = false;
  // Like a connector: a refused publish is retried (a webhook answers 503 and the provider retries).
  const publishUntilAccepted = async (n: number) => {
    const event = inboundEvent(n, run);
    for (;;) {
      try {
        return await producerBus.publish([{ topic: TOPICS.inbound, key: event.subject!, event }]);
      } catch {
        failedAttempts++;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const producing = (async () => {
    for (let n = 0; n < total; n += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => publishUntilAccepted(n + i)));
    }
  })();

  await waitFor(() => seen.length >= 1_000, { timeoutMs: 60_000, what: 'first 1,000 records' });
  await node.stop();
  await waitFor(async () => !(await consumerBus.health()).ok, { what: 'bus to report the outage' });
  sawUnhealthy = true;
  await node.start();
  await producing;
  await waitFor(() => new Set(seen.map((r) => r.event.id)).size >= total, { timeoutMs: 120_000, what: 'all ids' });
  await waitFor(async () => (await consumerBus.health()).ok, { what: 'bus healthy again' });

  const ids = new Set(seen.map((r) => r.event.id));
  expect(ids.size).toBe(total);
  for (let n = 0; n < total; n++) expect(ids.has(`${run}-${n}`)).toBe(true);
  // Duplicates may only be redeliveries of identical events (at-least-once), never altered ones.
  const byId = new Map<string, string>();
  for (const r of seen) {
    const body = JSON.stringify(r.event);
    expect(byId.get(r.event.id) ?? body).toBe(body);
    byId.set(r.event.id, body);
  }
  expect(sawUnhealthy).toBe(true);
  expect(failedAttempts).toBeGreaterThan(0);
  process.stdout.write(
    `broker restart: ${total} published, ${ids.size} distinct consumed, ${seen.length - ids.size} redelivered, ${failedAttempts} publish attempts refused during the outage\n`,
  );
  await consumerBus.stop();
  await producerBus.stop();
}, 240_000);
