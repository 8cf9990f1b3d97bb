import { httpListener } from '@kanal/config';
import { fileURLToPath } from 'node:url';
import { FsBlobStore, type BlobStore } from '@kanal/blob-store';
import { KafkajsEventBus } from '@kanal/kafka';
import { createLogger, createMetrics } from '@kanal/observability';
import { createPool, migrate } from '@kanal/postgres';
import { runService, type RunningService } from '@kanal/service';
import type { WhatsappConfig } from './config';
import { sessionRoutes } from './http/session-routes';
import { createIngest } from './ingest/ingest-events';
import { MediaWorker } from './ingest/media-worker';
import { PgPublishedStore } from './ingest/pg-published-store';
import { baileysMediaDownloader, baileysSocketFactory } from './session/baileys-socket';
import { loadPgAuthState } from './session/pg-auth-state';
import { PgSessionLease } from './session/pg-session-lease';
import { PgSessionRepo } from './session/pg-session-repo';
import { SessionManager } from './session/session-manager';
import type { MediaDownloader, SocketFactory } from './session/socket-port';
import { createWhatsappMetrics } from './whatsapp-metrics';

export interface StartOptions {
  handleSignals?: boolean;
  /** The outermost seam: tests pass a fake Baileys socket factory. */
  socketFactory?: SocketFactory;
  downloadMedia?: MediaDownloader;
  blobs?: BlobStore;
}

export type RunningWhatsapp = RunningService & { manager: SessionManager; media: MediaWorker };

export async function startConnectorWhatsapp(
  config: WhatsappConfig,
  options: StartOptions = {},
): Promise<RunningWhatsapp> {
  const service = 'connector-whatsapp';
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  const metrics = createMetrics(service);
  const waMetrics = createWhatsappMetrics(metrics);
  const schema = config.WHATSAPP_DB_SCHEMA;
  await migrate({
    databaseUrl: config.DATABASE_URL,
    schema,
    dir: fileURLToPath(new URL('../migrations', import.meta.url)),
  });
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, service });
  // Each held lease pins one connection for the session's lifetime: keep them off the work pool.
  const leasePool = createPool(config.DATABASE_URL, { max: 100, service: `${service}-lease` });
  const bus = new KafkajsEventBus({ env: config, service, logger, metrics: metrics.bus });
  const store = new PgPublishedStore(pool, schema);
  const repo = new PgSessionRepo(pool, schema);
  const blobs = options.blobs ?? new FsBlobStore(config.BLOB_DIR);
  const media = new MediaWorker({
    blobs,
    bus,
    maxBytes: config.WHATSAPP_MEDIA_MAX_BYTES,
    concurrency: config.WHATSAPP_MEDIA_CONCURRENCY,
    attempts: 3,
    logger,
    metrics: waMetrics,
  });
  const ingest = createIngest({
    bus,
    store,
    blobs,
    ingestGroups: config.WHATSAPP_INGEST_GROUPS,
    logger,
    metrics: waMetrics,
    enqueueMedia: media.enqueue,
  });
  const manager = new SessionManager(
    {
      socketFactory: options.socketFactory ?? baileysSocketFactory,
      downloadMedia: options.downloadMedia ?? baileysMediaDownloader,
      leases: new PgSessionLease(leasePool, `${schema}`),
      loadAuth: (id) => loadPgAuthState(pool, schema, id),
      repo,
      ingest,
      logger,
      metrics: waMetrics,
      backoff: { baseMs: config.WHATSAPP_RECONNECT_BASE_MS, maxMs: config.WHATSAPP_RECONNECT_MAX_MS },
      leaseRetryMs: config.WHATSAPP_LEASE_RETRY_MS,
      pairTimeoutMs: config.WHATSAPP_PAIR_TIMEOUT_MS,
      printQr: config.WHATSAPP_PRINT_QR,
    },
    repo,
  );
  const pruned = await store.prune(config.WHATSAPP_DEDUP_RETENTION_DAYS);
  if (pruned) logger.info({ pruned }, 'old dedup entries pruned');

  const running = await runService({
    name: service,
    logger,
    metrics,
    http: httpListener(config),
    bus,
    handleSignals: options.handleSignals,
    routes: sessionRoutes({
      manager,
      auth: { tokens: config.AUTH_TOKENS, disabled: config.AUTH_DISABLED },
      bodyLimit: config.HTTP_BODY_LIMIT,
    }),
    start: () => manager.startAll(config.WHATSAPP_SESSIONS),
    stop: [async () => ingest.stop(), () => manager.stopAll(), () => media.stop()],
    pool,
    close: [() => leasePool.end()],
  });
  return { ...running, manager, media };
}
