import { httpListener } from '@kanal/config';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KafkajsEventBus } from '@kanal/kafka';
import { createLogger, createMetrics } from '@kanal/observability';
import { createPool, migrate } from '@kanal/postgres';
import { runService, type RunningService } from '@kanal/service';
import type { Config } from './config';
import { DmPoller } from './poll/dm-poller';
import { PgCursorStore } from './poll/pg-cursor-store';
import { xPublisher } from './publish-events';
import { webhookRoutes } from './webhook/webhook-routes';
import { createXMetrics } from './x-metrics';
import { createTwitterDmApi } from './x/twitter-dm-api';

export const SERVICE = 'connector-x';
const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Builds logger → metrics → bus → Postgres → X clients → poller and webhook, then runs the service. */
export async function startConnectorX(config: Config, { handleSignals = true } = {}): Promise<RunningService> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetrics(SERVICE);
  const xMetrics = createXMetrics(metrics);
  const bus = new KafkajsEventBus({ env: config, service: SERVICE, logger, metrics: metrics.bus });
  const publish = xPublisher(bus);

  await migrate({ databaseUrl: config.DATABASE_URL, schema: config.X_DB_SCHEMA, dir: MIGRATIONS_DIR });
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, service: SERVICE });
  const caPem = config.X_API_CA_FILE ? readFileSync(config.X_API_CA_FILE, 'utf8') : undefined;
  const poller = new DmPoller({
    accounts: config.X_POLL_ENABLED
      ? config.accounts.map((account) => ({
          accountId: account.userId,
          api: createTwitterDmApi(account, {
            baseUrl: config.X_API_BASE_URL,
            consumerKey: config.X_CONSUMER_KEY,
            consumerSecret: config.X_CONSUMER_SECRET,
            pageSize: config.X_PAGE_SIZE,
            timeoutMs: config.X_REQUEST_TIMEOUT_MS,
            caPem,
          }),
        }))
      : [],
    store: new PgCursorStore(pool, config.X_DB_SCHEMA),
    publish,
    logger,
    metrics: xMetrics,
    minIntervalMs: config.X_POLL_INTERVAL_MS,
  });

  return runService({
    name: SERVICE,
    logger,
    metrics,
    http: httpListener(config),
    routes: webhookRoutes({
      enabled: config.X_WEBHOOK_ENABLED,
      consumerSecret: config.X_CONSUMER_SECRET,
      accounts: config.webhookAccounts,
      bodyLimit: config.HTTP_BODY_LIMIT,
      publish,
      logger,
      metrics: xMetrics,
    }),
    bus,
    start: async () => poller.start(),
    stop: [() => poller.stop()],
    pool,
    handleSignals,
  });
}
