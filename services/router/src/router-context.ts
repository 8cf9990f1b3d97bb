import type { Logger } from '@kanal/observability';
import type { RoutingConfig } from './routing-config/routing-config-schema';
import type { RouterMetrics } from './router-metrics';
import { RuleEngine } from './routing/rule-engine';
import { SlaPolicy } from './routing/sla-policy';

/** Everything a use case needs besides the database client: built once at boot. */
export interface RouterContext {
  config: RoutingConfig;
  rules: RuleEngine;
  sla: SlaPolicy;
  metrics: RouterMetrics;
  logger: Logger;
  /** Injected so tests can move time; production passes `() => new Date()`. */
  now: () => Date;
}

export function createRouterContext(config: RoutingConfig, metrics: RouterMetrics, logger: Logger, now = () => new Date()): RouterContext {
  const sla = new SlaPolicy(config);
  return { config, sla, rules: new RuleEngine(config, (id) => sla.calendar(id)), metrics, logger, now };
}
