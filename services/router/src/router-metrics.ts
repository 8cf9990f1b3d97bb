import { Counter, Histogram, type ServiceMetrics } from '@kanal/observability';

export interface RouterMetrics {
  decisions: Counter<'type' | 'reason' | 'queue'>;
  firstResponse: Histogram<'queue' | 'channel'>;
  breaches: Counter<'queue'>;
  incidents: Counter<'rule'>;
  timeBounded: Counter<'kind'>;
  dropped: ServiceMetrics['dropped'];
}

export function createRouterMetrics(metrics: ServiceMetrics): RouterMetrics {
  const registers = [metrics.registry];
  return {
    dropped: metrics.dropped,
    decisions: new Counter({
      name: 'kanal_router_decisions_total',
      help: 'Routing events emitted, per type, reason and queue',
      labelNames: ['type', 'reason', 'queue'] as const,
      registers,
    }),
    firstResponse: new Histogram({
      name: 'kanal_router_first_response_seconds',
      help: 'Time from the first customer message to the first response, per queue and channel',
      labelNames: ['queue', 'channel'] as const,
      buckets: [10, 30, 60, 300, 900, 1_800, 3_600, 4 * 3_600, 8 * 3_600, 24 * 3_600, 72 * 3_600],
      registers,
    }),
    breaches: new Counter({
      name: 'kanal_router_sla_breaches_total',
      help: 'First-response deadlines breached, per queue',
      labelNames: ['queue'] as const,
      registers,
    }),
    incidents: new Counter({
      name: 'kanal_router_incidents_total',
      help: 'Surges of new conversations detected, per rule',
      labelNames: ['rule'] as const,
      registers,
    }),
    timeBounded: new Counter({
      name: 'kanal_router_time_bounded_total',
      help: 'Messages whose occurredAt was impossible or ahead of their receipt, routed from the receive time instead, per message kind',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}
