import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@kanal/contracts';
import { parseConfig } from '@kanal/config';
import {
  createIsolatedTopics,
  KafkajsEventBus,
  kafkaEnvSchema,
  removeIsolatedTopics,
  type IncomingRecord,
} from '@kanal/kafka';
import { createPool } from '@kanal/postgres';
import { startUnifier } from '../../services/unifier/src/app';
import { configSchema } from '../../services/unifier/src/config';
import { startConnectorApi } from '../../services/connector-api/src/app';
import { startRouter } from '../../services/router/src/app';
import { configSchema as routerConfigSchema } from '../../services/router/src/config';
import { configSchema as apiConfigSchema } from '../../services/connector-api/src/config';
import { startConnectorMeta } from '../../services/connector-meta/src/app';
import { configSchema as metaConfigSchema } from '../../services/connector-meta/src/config';

export const TOKEN = 'test-token-0123456789';
/** connector-meta's app secret and the WhatsApp Cloud number it serves (`withMeta`). */
export const META_SECRET = 'meta-app-secret-0123';
export const WA_PHONE_NUMBER_ID = '106540352242922';

/** connector-api + unifier in-process on their own topic prefix and Postgres schema. */
export async function startPipeline(
  extraEnv: Record<string, string> = {},
  { withRouter = false, withMeta = false } = {},
) {
  const schema = `unifier_t${randomUUID().slice(0, 8)}`;
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
  const { prefix } = await createIsolatedTopics(brokers);
  const common = {
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    AUTH_TOKENS: TOKEN,
    PORT: '0',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
  };
  // Group ids are not prefixed: suites running side by side under the default ids would join one
  // group with different topics and stall each other through rebalances.
  const env = {
    ...common,
    UNIFIER_SCHEMA: schema,
    UNIFIER_GROUP_ID: `unifier-${prefix}`,
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    ...extraEnv,
  };
  const unifier = await startUnifier(parseConfig(configSchema, env), { handleSignals: false });
  const router = withRouter
    ? await startRouter(
        parseConfig(routerConfigSchema, {
          ...common,
          ROUTER_DB_SCHEMA: `router_${schema}`,
          ROUTER_GROUP_ID: `router-${prefix}`,
          DATABASE_URL: env.DATABASE_URL,
          ROUTER_SLA_POLL_MS: '200',
        }),
        { handleSignals: false },
      )
    : undefined;
  const api = await startConnectorApi(parseConfig(apiConfigSchema, common), { handleSignals: false });
  const meta = withMeta
    ? await startConnectorMeta(
        parseConfig(metaConfigSchema, {
          ...common,
          META_APP_SECRETS: META_SECRET,
          META_VERIFY_TOKEN: 'meta-verify-token-1',
          META_WHATSAPP_PHONE_NUMBER_IDS: WA_PHONE_NUMBER_ID,
          META_MEDIA_ENABLED: 'false',
          BLOB_DIR: mkdtempSync(join(tmpdir(), 'kanal-meta-blobs-')),
        }),
        { handleSignals: false },
      )
    : undefined;
  const reader = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'reader',
  });
  await reader.start();
  const customers: IncomingRecord[] = [];
  await reader.subscribe({
    groupId: `r-${prefix}`,
    topics: [TOPICS.customers],
    handler: async (r) => void customers.push(...r),
  });
  const routing: IncomingRecord[] = [];
  if (withRouter) {
    await reader.subscribe({
      groupId: `o-${prefix}`,
      topics: [TOPICS.routing],
      handler: async (r) => void routing.push(...r),
    });
  }
  const dlq: IncomingRecord[] = [];
  await reader.subscribe({ groupId: `d-${prefix}`, topics: [TOPICS.dlq], handler: async (r) => void dlq.push(...r) });
  const http =
    (port: number) =>
    (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      });
  return {
    prefix,
    schema,
    customers,
    routing,
    dlq,
    /** Publishes to the prefixed topics directly (what a connector would). */
    bus: reader,
    api: http(api.port),
    /** connector-meta (`withMeta`): POSTs a body signed with the app secret, as Meta does. */
    meta: (path: string, raw: string) =>
      fetch(`http://127.0.0.1:${meta?.port ?? 0}${path}`, {
        method: 'POST',
        body: raw,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${createHmac('sha256', META_SECRET).update(raw).digest('hex')}`,
        },
      }),
    unifier: http(unifier.port),
    unifierPort: unifier.port,
    router: http(router?.port ?? 0),
    async stop() {
      await reader.stop();
      await api.shutdown('test');
      await meta?.shutdown('test');
      await router?.shutdown('test');
      await unifier.shutdown('test');
      // The run's schemas go with it (tests leave no data behind in the shared database).
      const db = createPool(env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', {
        max: 1,
        service: 'test',
      });
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS router_${schema} CASCADE`);
      await db.end();
      await removeIsolatedTopics(brokers, prefix);
    },
  };
}

let seq = 0;
/** A canonical inbound message as an integrator would POST it. */
export function message(fields: Record<string, unknown>) {
  const now = new Date(Date.now() + seq).toISOString();
  seq++;
  return {
    channel: 'webchat',
    accountId: 'shop',
    externalId: `m-${randomUUID()}`,
    conversationRef: `c-${randomUUID().slice(0, 8)}`,
    occurredAt: now,
    text: 'Merhaba',
    ...fields,
  };
}
