import { randomUUID } from 'node:crypto';
import { parseConfig } from '@kanal/config';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import {
  createIsolatedTopics,
  deleteTopicsMatching,
  KafkajsEventBus,
  kafkaEnvSchema,
  topicEnvSchema,
  type Subscription,
} from '@kanal/kafka';
import type { RunningService } from '@kanal/service';
import { startConnectorMeta } from '../src/app';
import { configSchema } from '../src/config';
import type { NormalizeWebhook } from '../src/normalize/normalize-webhook';
import { signBody } from '../src/webhook/verify-signature';

export const SECRET = 'app-secret-current-0001';
export const OLD_SECRET = 'app-secret-previous-0001';
export const VERIFY_TOKEN = 'verify-token-kanal-1';
export const WA_PHONE_ID = '106540352242922';
export const IG_ACCOUNT = '17841400000000001';
export const PAGE_ID = '106000000000001';

export interface Harness {
  base: string;
  brokers: string;
  /** The suite's topic prefix (KAFKA_TOPIC_PREFIX of the service and of any `kanal` run). */
  prefix: string;
  service: RunningService;
  /** Events read back from the inbound topic. */
  seen: CloudEvent[];
  /** Dead letters read back from the DLQ topic. */
  dead: CloudEvent[];
  post(path: string, body: Buffer | string, signature?: string | null): Promise<Response>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** The mapper the service runs (an older release's, to exercise dead-letter replay). */
  normalize?: NormalizeWebhook;
}

/**
 * The service in-process (PORT 0) on topics of its own prefix, plus a consumer reading what it
 * published; `stop` deletes the prefix's topics again.
 */
export async function startHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const brokers = env['KAFKA_BROKERS'] ?? '127.0.0.1:19092';
  const { prefix } = await createIsolatedTopics(brokers);
  const config = parseConfig(configSchema, {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    META_APP_SECRETS: `${SECRET},${OLD_SECRET}`,
    META_VERIFY_TOKEN: VERIFY_TOKEN,
    META_WHATSAPP_PHONE_NUMBER_IDS: WA_PHONE_ID,
    META_INSTAGRAM_ACCOUNT_IDS: IG_ACCOUNT,
    META_PAGE_IDS: PAGE_ID,
    META_MEDIA_ENABLED: 'false',
    ...env,
  });
  const service = await startConnectorMeta(config, { handleSignals: false, normalize: options.normalize });
  const consumer = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'connector-meta-test',
  });
  await consumer.start();
  const seen: CloudEvent[] = [];
  const dead: CloudEvent[] = [];
  const subscription: Subscription = await consumer.subscribe({
    groupId: `meta-test-${randomUUID()}`,
    topics: [TOPICS.inbound, TOPICS.dlq],
    handler: async (records) => {
      for (const { event } of records) (event.type === 'kanal.dlq.record.v1' ? dead : seen).push(event);
    },
  });
  const base = `http://127.0.0.1:${service.port}`;
  return {
    base,
    brokers,
    prefix,
    service,
    seen,
    dead,
    post: (path, body, signature) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature === null ? {} : { 'x-hub-signature-256': signature ?? signBody(body, SECRET) }),
        },
        body,
      }),
    async stop() {
      await subscription.stop();
      await consumer.stop();
      await service.shutdown('test done');
      const admin = topicEnvSchema.parse({ KAFKA_BROKERS: brokers });
      await deleteTopicsMatching(admin, new RegExp(`^${prefix.replaceAll('.', '\\.')}`));
    },
  };
}
