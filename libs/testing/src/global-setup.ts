import { createTopics, topicEnvSchema } from '@kanal/kafka';
import { broker, ensurePostgres, portOpen } from './infra';

/**
 * Jest global setup: the suites run against the real broker and Postgres. Whatever is not
 * running is started here, and only that is stopped again in global-teardown.
 */
export default async function globalSetup(): Promise<void> {
  const port = Number(process.env.KANAL_TEST_KAFKA_PORT ?? 19092);
  process.env.KAFKA_BROKERS ??= `127.0.0.1:${port}`;
  if (!(await portOpen(port))) {
    await broker(port).start();
    process.env.KANAL_TEST_STARTED_KAFKA = '1';
  }
  await ensurePostgres();
  await createTopics(topicEnvSchema.parse({ ...process.env, KAFKA_TOPIC_PREFIX: '' }));
}
