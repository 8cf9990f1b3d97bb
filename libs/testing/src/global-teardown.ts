import { broker } from './infra';

export default async function globalTeardown(): Promise<void> {
  if (process.env.KANAL_TEST_STARTED_KAFKA === '1' && process.env.KANAL_KEEP_INFRA !== '1') {
    await broker(Number(process.env.KANAL_TEST_KAFKA_PORT ?? 19092)).stop();
  }
}
