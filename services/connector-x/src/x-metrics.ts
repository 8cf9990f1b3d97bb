import { Counter, Gauge, type ServiceMetrics } from '@kanal/observability';

export type XMetrics = ReturnType<typeof createXMetrics>;

/** connector-x's own series beside the standard set (events out, …). */
export function createXMetrics(metrics: ServiceMetrics) {
  const registers = [metrics.registry];
  return {
    skipped: new Counter({
      name: 'kanal_x_skipped_total',
      help: 'X items that are by design not messages (typing, follows, joins, …), per reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'kanal_x_dead_lettered_total',
      help: 'X items published to kanal.dlq.v1 with their raw payload instead of as events, per code',
      labelNames: ['code'] as const,
      registers,
    }),
    fallbacks: new Counter({
      name: 'kanal_x_fallbacks_total',
      help: 'Events kept with a fallback (dateFallback, identityFallback, unsupported, textTruncated, textSanitized, identifierDropped, messageTrimmed), per flag',
      labelNames: ['flag'] as const,
      registers,
    }),
    apiRequests: new Counter({
      name: 'kanal_x_api_requests_total',
      help: 'GET /2/dm_events requests, per account and outcome (ok, rate-limited, auth-failed, failed)',
      labelNames: ['account', 'outcome'] as const,
      registers,
    }),
    partialErrors: new Counter({
      name: 'kanal_x_partial_errors_total',
      help: 'Errors X returned beside good data (HTTP 200 with errors[]), per account',
      labelNames: ['account'] as const,
      registers,
    }),
    overlapSkipped: new Counter({
      name: 'kanal_x_overlap_skipped_total',
      help: 'DM events skipped because an earlier page or run already published them',
      labelNames: ['account'] as const,
      registers,
    }),
    pollRuns: new Counter({
      name: 'kanal_x_poll_runs_total',
      help: 'Polling runs per account and how they ended (cursor, end, budget, error code)',
      labelNames: ['account', 'outcome'] as const,
      registers,
    }),
    rateLimitRemaining: new Gauge({
      name: 'kanal_x_rate_limit_remaining',
      help: 'x-rate-limit-remaining after the last dm_events request, per account',
      labelNames: ['account'] as const,
      registers,
    }),
    webhookRequests: new Counter({
      name: 'kanal_x_webhook_requests_total',
      help: 'Webhook requests per kind (crc, event) and outcome (ok, bad-signature, invalid, unavailable)',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
  };
}
