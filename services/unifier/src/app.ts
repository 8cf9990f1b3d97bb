import { httpListener } from '@kanal/config';
import { fileURLToPath } from 'node:url';
import { TOPICS } from '@kanal/contracts';
import { KafkajsEventBus } from '@kanal/kafka';
import { Counter, createLogger, createMetrics } from '@kanal/observability';
import { createPool, migrate, PgParkingLot } from '@kanal/postgres';
import { runService, type RunningService } from '@kanal/service';
import type { UnifierConfig } from './config';
import { onInboundEvents } from './handlers/on-inbound-events';
import { customerRoutes } from './http/customer-routes';
import { reviewRoutes } from './http/review-routes';
import { IdentityPolicy } from './identity/identity-policy';
import { ApiOutboxRelay } from './relay/api-outbox-relay';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Composition: config → logger → metrics → Postgres (migrated) → bus → handler → HTTP. */
export async function startUnifier(
  config: UnifierConfig,
  options: { handleSignals?: boolean } = {},
): Promise<RunningService> {
  const service = 'unifier';
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  const metrics = createMetrics(service);
  const pending = new Counter({
    name: 'kanal_unifier_pending_state_events_total',
    help: 'State events parked until their message arrives',
    registers: [metrics.registry],
  });
  await migrate({ databaseUrl: config.DATABASE_URL, schema: config.UNIFIER_SCHEMA, dir: MIGRATIONS_DIR });
  const pool = createPool(config.DATABASE_URL, {
    max: config.DATABASE_POOL_SIZE,
    service,
    schema: config.UNIFIER_SCHEMA,
  });
  // A record that can neither be handled nor dead-lettered is parked here instead of stalling its partition.
  const parkingLot = await PgParkingLot.open(pool, { schema: config.UNIFIER_SCHEMA });
  const bus = new KafkajsEventBus({ env: config, service, logger, metrics: metrics.bus, parkingLot });
  const policy = new IdentityPolicy({
    blocked: config.UNIFIER_BLOCKED_IDENTITIES,
    business: config.BUSINESS_IDENTITIES,
    limits: config.UNIFIER_IDENTITY_LIMITS,
  });
  const ctx = {
    policy,
    idleHours: config.CONVERSATION_IDLE_HOURS,
    defaultRegion: config.DEFAULT_PHONE_REGION,
    onPending: () => pending.inc(),
  };
  const relayed = new Counter({
    name: 'kanal_unifier_outbox_relayed_total',
    help: 'Merge and split events published by the outbox relay (Kafka was unavailable when they happened)',
    registers: [metrics.registry],
  });
  const relay = new ApiOutboxRelay({
    pool,
    bus,
    logger,
    intervalMs: config.UNIFIER_RELAY_INTERVAL_MS,
    minAgeMs: config.UNIFIER_RELAY_INTERVAL_MS,
    onRelayed: (n) => relayed.inc(n),
  });
  return runService({
    name: service,
    logger,
    metrics,
    http: httpListener(config),
    bus,
    handleSignals: options.handleSignals,
    routes: (app) => {
      const auth = { tokens: config.AUTH_TOKENS, disabled: config.AUTH_DISABLED };
      customerRoutes({ pool, bus, policy, auth, defaultRegion: config.DEFAULT_PHONE_REGION, logger })(app);
      reviewRoutes({ pool, bus, policy, auth, logger })(app);
    },
    start: async () => {
      await bus.subscribe({
        groupId: config.UNIFIER_GROUP_ID,
        topics: [TOPICS.inbound],
        handler: onInboundEvents({ pool, bus, ctx }),
        partitionsConcurrently: config.UNIFIER_PARTITIONS_CONCURRENTLY,
        joinPartitions: true,
      });
      relay.start();
    },
    stop: [() => relay.stop()],
    pool,
  });
}
