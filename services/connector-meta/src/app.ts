import { httpListener } from '@kanal/config';
import { FsBlobStore } from '@kanal/blob-store';
import { KafkajsEventBus } from '@kanal/kafka';
import { createLogger, createMetrics } from '@kanal/observability';
import { runService, type RunningService } from '@kanal/service';
import type { Config } from './config';
import { createConnectorMetrics } from './connector-metrics';
import { GraphMediaSource } from './media/graph-media-source';
import { RetryQueue } from './media/retry-queue';
import { storeMessageMedia, type MediaTask } from './media/store-message-media';
import type { NormalizeWebhook } from './normalize/normalize-webhook';
import type { MediaJob } from './normalize/normalized-batch';
import { webhookRoutes } from './webhook/webhook-routes';

export const SERVICE = 'connector-meta';

/** Builds logger → metrics → bus → media worker → routes, and runs the service. */
export async function startConnectorMeta(
  config: Config,
  options: {
    handleSignals?: boolean;
    /** The webhook mapper; tests stand in an older release's to exercise dead-letter replay. */
    normalize?: NormalizeWebhook;
  } = {},
): Promise<RunningService> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetrics(SERVICE);
  const connectorMetrics = createConnectorMetrics(metrics);
  const bus = new KafkajsEventBus({ env: config, service: SERVICE, logger, metrics: metrics.bus });

  const source = new GraphMediaSource({
    graphBaseUrl: config.META_GRAPH_BASE_URL,
    apiVersion: config.META_GRAPH_API_VERSION,
    accessToken: config.META_ACCESS_TOKEN,
    caFile: config.META_GRAPH_CA_FILE,
  });
  const blobs = new FsBlobStore(config.BLOB_DIR);
  const storeMedia = storeMessageMedia({
    source,
    blobs,
    publisher: bus,
    maxBytes: config.META_MEDIA_MAX_BYTES,
  });
  const media = new RetryQueue<MediaTask>({
    concurrency: config.META_MEDIA_CONCURRENCY,
    maxAttempts: config.META_MEDIA_MAX_ATTEMPTS,
    baseDelayMs: config.META_MEDIA_RETRY_BASE_MS,
    capacity: 10_000,
    handler: async (task) => {
      await storeMedia(task);
      connectorMetrics.media.inc({ outcome: 'stored' });
    },
    onRetry: (task, attempt, err) => {
      connectorMetrics.media.inc({ outcome: 'retried' });
      logger.warn(
        { eventId: task.message.id, attempt, code: codeOf(err), err: messageOf(err) },
        'media fetch failed; will retry',
      );
    },
    onGiveUp: (task, attempt, err) => {
      connectorMetrics.media.inc({ outcome: 'failed' });
      metrics.dropped.inc({ reason: 'media-failed' });
      logger.error(
        { eventId: task.message.id, attempt, code: codeOf(err), err: messageOf(err) },
        'media not stored; giving up',
      );
    },
  });
  const enqueueMedia = (job: MediaJob) => {
    if (!config.META_MEDIA_ENABLED) return;
    if (!media.push(job)) {
      connectorMetrics.media.inc({ outcome: 'queue-full' });
      metrics.dropped.inc({ reason: 'media-queue-full' });
      logger.error({ eventId: job.message.id }, 'media queue full; media of this message will not be stored');
    }
  };

  const routes = webhookRoutes(
    {
      publisher: bus,
      appSecrets: config.META_APP_SECRETS,
      knownAccounts: {
        'whatsapp-cloud': new Set(config.META_WHATSAPP_PHONE_NUMBER_IDS),
        'meta-instagram': new Set(config.META_INSTAGRAM_ACCOUNT_IDS),
        'meta-messenger': new Set(config.META_PAGE_IDS),
      },
      blobStore: blobs,
      logger,
      metrics: connectorMetrics,
      enqueueMedia,
      normalize: options.normalize,
    },
    { verifyToken: config.META_VERIFY_TOKEN, bodyLimit: config.HTTP_BODY_LIMIT },
  );

  return runService({
    name: SERVICE,
    logger,
    metrics,
    http: httpListener(config),
    routes,
    bus,
    stop: [() => media.stop()],
    close: [async () => source.close()],
    handleSignals: options.handleSignals,
  });
}

function codeOf(error: unknown): string {
  return error && typeof error === 'object' && 'code' in error ? String(error.code) : 'MEDIA.FAILED';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
