import { afterAll } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { createTopics, KafkajsEventBus, kafkaEnvSchema, removeIsolatedTopics, topicEnvSchema } from '../src/index';
import { eventBusContract } from './event-bus-contract';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
/** Every test's topics go with the suite (tests leave nothing behind on the shared broker). */
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await removeIsolatedTopics(brokers, prefix);
});

eventBusContract('KafkajsEventBus', () => ({
  async bus(prefix, options) {
    const env = kafkaEnvSchema.parse({
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_HANDLER_MAX_ATTEMPTS: String(options?.maxAttempts ?? 5),
    });
    const bus = new KafkajsEventBus({ env, service: 'contract-test' });
    await bus.start();
    return bus;
  },
  async createTopics(prefix) {
    prefixes.push(prefix);
    await createTopics(topicEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_TOPIC_PARTITIONS: '3' }));
  },
  async publishRaw(topic, messages) {
    const producer = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, messages, acks: -1 });
    await producer.disconnect();
  },
}));
