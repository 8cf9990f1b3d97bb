import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import { waitFor } from '@kanal/testing';
import {
  BUS_ERROR_CODES,
  createIsolatedTopics,
  KafkajsEventBus,
  kafkaEnvSchema,
  MAX_RECORD_BYTES,
  RecordTooLargeError,
  removeIsolatedTopics,
  type IncomingRecord,
} from '../src/index';
import { inboundEvent } from './test-events';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
let prefix: string;
let bus: KafkajsEventBus;

beforeAll(async () => {
  ({ prefix } = await createIsolatedTopics(brokers, { partitions: 3, label: 'large' }));
  bus = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'large-test',
  });
  await bus.start();
});
afterAll(async () => {
  await bus?.stop();
  await removeIsolatedTopics(brokers, prefix);
});

const padded = (n: number, run: ReturnType<typeof randomUUID>, bytes: number): CloudEvent => {
  const event = inboundEvent(n, run);
  return { ...event, data: { ...(event.data as object), text: 'ş'.repeat(bytes / 2) } };
};

it('splits one caller’s 3 MB batch for one key into requests that fit, beside 40 small callers', async () => {
  const run = randomUUID();
  const seen: IncomingRecord[] = [];
  await bus.subscribe({ groupId: `g-${run}`, topics: [TOPICS.inbound], handler: async (r) => void seen.push(...r) });
  // 500 records of ~6 KB on one key: one partition, one record batch over the broker's 1 MiB if sent at once.
  const large = Array.from({ length: 500 }, (_, i) => padded(i, run, 6_000));
  const small = Array.from({ length: 40 }, (_, i) => inboundEvent(1_000 + i, run));
  const results = await Promise.allSettled([
    bus.publish(large.map((event) => ({ topic: TOPICS.inbound, key: 'one-conversation', event }))),
    ...small.map((event) => bus.publish([{ topic: TOPICS.inbound, key: event.subject!, event }])),
  ]);
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  await waitFor(() => new Set(seen.map((r) => r.event.id)).size >= 540, { timeoutMs: 30_000, what: '540 records' });
  // Order within the key survives the split.
  const order = seen.filter((r) => r.key === 'one-conversation').map((r) => Number(r.event.id.split('-').pop()));
  expect([...new Set(order)]).toEqual(large.map((_, i) => i));
});

it('refuses only a record that can never fit, as RECORD_TOO_LARGE with the limit, and the others go through', async () => {
  const run = randomUUID();
  const tooLarge = padded(0, run, MAX_RECORD_BYTES);
  const results = await Promise.allSettled([
    bus.publish([
      { topic: TOPICS.inbound, key: 'k', event: inboundEvent(1, run) },
      { topic: TOPICS.inbound, key: 'k', event: tooLarge },
    ]),
    ...Array.from({ length: 10 }, (_, i) =>
      bus.publish([{ topic: TOPICS.inbound, key: `s${i}`, event: inboundEvent(10 + i, run) }]),
    ),
  ]);
  const [refused, ...others] = results;
  expect(refused.status).toBe('rejected');
  const error = (refused as PromiseRejectedResult).reason as RecordTooLargeError;
  expect(error).toBeInstanceOf(RecordTooLargeError);
  expect(error).toMatchObject({ code: BUS_ERROR_CODES.recordTooLarge, limit: MAX_RECORD_BYTES, index: 1 });
  expect(others.every((r) => r.status === 'fulfilled')).toBe(true);
});

it('fails only the caller whose record the broker refuses, when it was coalesced with others', async () => {
  const run = randomUUID();
  const topic = `${prefix}${TOPICS.routing}`;
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // A topic that takes at most 4 KB per batch: a broker's refusal the bus cannot foresee.
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: 2, name: topic, configEntries: [{ name: 'max.message.bytes', value: '4096' }] }],
  });
  await admin.disconnect();
  const publish = (event: CloudEvent) => bus.publish([{ topic: TOPICS.routing, key: event.id, event }]);
  // The first call is in flight alone; the next eleven coalesce into one request behind it.
  const first = publish(inboundEvent(0, run));
  const refused = publish(padded(1, run, 10_000));
  const others = Array.from({ length: 10 }, (_, i) => publish(inboundEvent(10 + i, run)));
  const results = await Promise.allSettled([first, refused, ...others]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', ...Array(10).fill('fulfilled')]);
  expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: BUS_ERROR_CODES.recordTooLarge });
});
