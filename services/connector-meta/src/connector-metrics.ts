import { Counter, Histogram, type ServiceMetrics } from '@kanal/observability';

/** Connector-specific series beside the standard ones (names prefixed `kanal_meta_`). */
export function createConnectorMetrics(metrics: ServiceMetrics) {
  const registers = [metrics.registry];
  return {
    webhooks: new Counter({
      name: 'kanal_meta_webhooks_total',
      help: 'Webhook deliveries by provider and outcome (accepted, rejected-signature, invalid-body, bus-unavailable, error)',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    }),
    signatureRejected: new Counter({
      name: 'kanal_meta_signature_rejected_total',
      help: 'Webhook deliveries refused with 401, by provider and reason (missing, malformed, mismatch)',
      labelNames: ['provider', 'reason'] as const,
      registers,
    }),
    webhookSeconds: new Histogram({
      name: 'kanal_meta_webhook_duration_seconds',
      help: 'Time from request to answer, including the durable publish',
      labelNames: ['provider'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    skipped: new Counter({
      name: 'kanal_meta_skipped_total',
      help: 'Webhook items that are by design not messages (test webhooks, account updates, opt-ins, handovers, ...), by provider and reason',
      labelNames: ['provider', 'reason'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'kanal_meta_dead_lettered_total',
      help: 'Webhook items published to kanal.dlq.v1 with their raw payload, by provider and code',
      labelNames: ['provider', 'code'] as const,
      registers,
    }),
    fallbacks: new Counter({
      name: 'kanal_meta_fallbacks_total',
      help: 'Published events carrying a fallback flag (phoneUnverified, identityFallback, dateFallback, locationFallback, textTruncated, identifierDropped, messageTrimmed, textSanitized), by provider and flag',
      labelNames: ['provider', 'flag'] as const,
      registers,
    }),
    media: new Counter({
      name: 'kanal_meta_media_total',
      help: 'Media jobs by outcome (stored, retried, failed, queue-full)',
      labelNames: ['outcome'] as const,
      registers,
    }),
  };
}
export type ConnectorMetrics = ReturnType<typeof createConnectorMetrics>;
