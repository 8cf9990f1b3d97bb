import { httpListener } from '@kanal/config';
import { fileURLToPath } from 'node:url';
import { TOPICS } from '@kanal/contracts';
import { KafkajsEventBus } from '@kanal/kafka';
import { createLogger, createMetrics } from '@kanal/observability';
import { createPool, migrate, PgParkingLot } from '@kanal/postgres';
import { runService, type RunningService } from '@kanal/service';
import type { RouterConfig } from './config';
import { SERVICE } from './config';
import { onCustomerEvents } from './handlers/on-customer-events';
import { routerRoutes } from './http/router-routes';
import { createRouterContext } from './router-context';
import { createRouterMetrics } from './router-metrics';
import { loadRoutingConfig } from './routing-config/load-routing-config';
import { SlaScheduler } from './sla/sla-scheduler';
import { SurgeQueue } from './surge/surge-queue';

const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** Composition: routing config → logger → metrics → Postgres → bus → consumer, scheduler, routes. */
export async function startRouter(
  config: RouterConfig,
  options: {
    handleSignals?: boolean;
    /** The clock of SLA deadlines and HTTP actions (tests move it). */ now?: () => Date;
  } = {},
): Promise<RunningService> {
  // Parsed first: a bad routing file stops the service before it touches anything (RoutingConfigError).
  const routing = loadRoutingConfig(config.ROUTER_CONFIG);
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetrics(SERVICE);
  const ctx = createRouterContext(routing, createRouterMetrics(metrics), logger, options.now);

  await migrate({ databaseUrl: config.DATABASE_URL, schema: config.ROUTER_DB_SCHEMA, dir: MIGRATIONS });
  const pool = createPool(config.DATABASE_URL, {
    service: SERVICE,
    max: config.DATABASE_POOL_SIZE,
    schema: config.ROUTER_DB_SCHEMA,
  });
  // A record that can neither be handled nor dead-lettered is parked here instead of stalling its partition.
  const parkingLot = await PgParkingLot.open(pool, { schema: config.ROUTER_DB_SCHEMA });
  const bus = new KafkajsEventBus({ env: config, service: SERVICE, logger, metrics: metrics.bus, parkingLot });
  const scheduler = new SlaScheduler(ctx, pool, bus, config.ROUTER_SLA_POLL_MS);
  const surges = new SurgeQueue(ctx, pool, bus);

  return runService({
    name: SERVICE,
    logger,
    metrics,
    http: httpListener(config),
    routes: routerRoutes({
      ctx,
      pool,
      bus,
      auth: { tokens: config.AUTH_TOKENS, disabled: config.AUTH_DISABLED },
      bodyLimit: config.HTTP_BODY_LIMIT,
    }),
    bus,
    start: async () => {
      await bus.subscribe({
        groupId: config.ROUTER_GROUP_ID,
        topics: [TOPICS.customers],
        handler: onCustomerEvents(ctx, pool, bus, surges),
        partitionsConcurrently: config.ROUTER_PARTITIONS_CONCURRENTLY,
        joinPartitions: true,
      });
      scheduler.start();
    },
    stop: [() => scheduler.stop(), () => surges.drain()],
    pool,
    handleSignals: options.handleSignals ?? true,
  });
}
