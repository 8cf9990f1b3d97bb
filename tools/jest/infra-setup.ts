import { createTopics, deleteTopicsMatching, topicEnvSchema } from '@kanal/kafka';
import { broker, ensurePostgres, portOpen } from '@kanal/testing';
import { checkLeftovers, noteInfra } from './leftovers';

/**
 * The suites run against the real broker and Postgres. Whatever is not running is started here,
 * and only that is stopped again in teardown.
 */
export async function setUpInfra(): Promise<void> {
  const port = Number(process.env.KANAL_TEST_KAFKA_PORT ?? 19092);
  process.env.KAFKA_BROKERS ??= `127.0.0.1:${port}`;
  const databaseUrl = (process.env.DATABASE_URL ||= 'postgres://postgres@127.0.0.1:5432/postgres');
  if (!(await portOpen(port))) {
    await broker(port).start();
    process.env.KANAL_TEST_STARTED_KAFKA = '1';
  }
  await ensurePostgres();
  const env = topicEnvSchema.parse({ ...process.env, KAFKA_TOPIC_PREFIX: '' });
  // Suites isolate themselves under random topic prefixes. Earlier runs' leftovers are dropped, but
  // only on a broker this run started: on a shared one another jest run may be using them now.
  if (process.env.KANAL_TEST_STARTED_KAFKA === '1')
    await deleteTopicsMatching(env, /^(t[0-9a-f]{8}|bench[0-9a-f]{6})\./);
  await createTopics(env);
  await noteInfra(env, databaseUrl);
}

export async function tearDownInfra(): Promise<void> {
  const env = topicEnvSchema.parse({ ...process.env, KAFKA_TOPIC_PREFIX: '' });
  const ownBroker = process.env.KANAL_TEST_STARTED_KAFKA === '1';
  try {
    // Checked before the broker goes: on a broker this run started, a leftover fails the run.
    await checkLeftovers(env, process.env.DATABASE_URL!, ownBroker);
  } finally {
    if (ownBroker && process.env.KANAL_KEEP_INFRA !== '1')
      await broker(Number(process.env.KANAL_TEST_KAFKA_PORT ?? 19092)).stop();
  }
}
