import { httpListener } from '@kanal/config';
import { KafkajsEventBus } from '@kanal/kafka';
import { Counter, createLogger, createMetrics } from '@kanal/observability';
import { runService, type RunningService } from '@kanal/service';
import type { ConnectorApiConfig } from './config';
import { messageRoutes } from './message-routes';

export async function startConnectorApi(
  config: ConnectorApiConfig,
  options: { handleSignals?: boolean } = {},
): Promise<RunningService> {
  const service = 'connector-api';
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  const metrics = createMetrics(service);
  const accepted = new Counter({
    name: 'kanal_api_messages_total',
    help: 'Messages posted to /v1/messages, by outcome (accepted, invalid, too-large, unavailable)',
    labelNames: ['outcome'] as const,
    registers: [metrics.registry],
  });
  const bus = new KafkajsEventBus({ env: config, service, logger, metrics: metrics.bus });
  return runService({
    name: service,
    logger,
    metrics,
    http: httpListener(config),
    bus,
    handleSignals: options.handleSignals,
    routes: messageRoutes({
      bus,
      auth: { tokens: config.AUTH_TOKENS, disabled: config.AUTH_DISABLED },
      bodyLimit: config.HTTP_BODY_LIMIT,
      maxBatch: config.API_MAX_BATCH,
      defaultRegion: config.DEFAULT_PHONE_REGION,
      accepted,
    }),
  });
}
