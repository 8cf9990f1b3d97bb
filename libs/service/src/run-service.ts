import type { Express } from 'express';
import { createHttpApp, listen, type ReadinessCheck, type ServerLimits } from '@kanal/http';
import type { EventBus } from '@kanal/kafka';
import type { Logger, ServiceMetrics } from '@kanal/observability';
import { pgReady, type Pool } from '@kanal/postgres';

export interface ServiceSpec {
  name: string;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Where to listen and the server's limits (`httpListener(config)` from @kanal/config). */
  http: { port: number; host: string; limits?: Partial<ServerLimits> };
  /** Checks beyond the bus and the pool, which are checked whenever they are given. */
  readiness?: ReadinessCheck[];
  /** The service's Postgres pool: checked by /health/ready and closed last on shutdown. */
  pool?: Pool;
  routes?: (app: Express) => void;
  /** Started before the HTTP listener opens; stopped (drained) after it closes. */
  bus?: EventBus;
  /** Work started once the listener is up (consumers, pollers, IMAP sessions). */
  start?: () => Promise<void>;
  /** Called on shutdown after the listener closed and before the bus drains, in order. */
  stop?: Array<() => Promise<void>>;
  /** Called last (close pools). */
  close?: Array<() => Promise<void>>;
  /** Install SIGTERM/SIGINT handlers (default true; in-process tests call shutdown() instead). */
  handleSignals?: boolean;
}

/** Ready when the bus is healthy; otherwise the parts that are not (stuck partitions named), for /health/ready. */
async function busReadiness(bus: EventBus): Promise<{ ok: boolean; detail?: unknown }> {
  const { ok, ...health } = await bus.health();
  if (ok) return { ok };
  const { stuck, consumers, broker, producer } = health;
  return { ok, detail: { broker, producer, consumers: consumers.filter((c) => c.state !== 'running'), stuck } };
}

export interface RunningService {
  port: number;
  shutdown(reason: string): Promise<void>;
}

/**
 * The lifecycle every service shares: bus → HTTP → start work; on SIGTERM/SIGINT: stop taking
 * requests, stop work, drain the bus (commit what is done), close pools, exit 0. A second signal
 * or a 30 s deadline exits at once (uncommitted work is redelivered: at-least-once).
 */
export async function runService(spec: ServiceSpec): Promise<RunningService> {
  const { logger } = spec;
  if (spec.handleSignals !== false) {
    process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  }
  // Parked records and stuck partitions are counted on the service's own /metrics.
  spec.bus?.instrument?.(spec.metrics.registry);
  await spec.bus?.start();
  const app = createHttpApp({
    service: spec.name,
    registry: spec.metrics.registry,
    logger,
    readiness: [
      ...(spec.bus ? [{ name: 'kafka', check: () => busReadiness(spec.bus!) }] : []),
      ...(spec.pool ? [{ name: 'postgres', check: () => pgReady(spec.pool!) }] : []),
      ...(spec.readiness ?? []),
    ],
    routes: spec.routes,
  });
  const http = await listen(app, spec.http.port, spec.http.host, spec.http.limits);
  const port = (http.server.address() as { port: number }).port;
  await spec.start?.();
  logger.info({ port }, `${spec.name} listening`);

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      const deadline = setTimeout(() => {
        logger.error({}, 'shutdown took longer than 30 s; exiting');
        process.exit(1);
      }, 30_000);
      deadline.unref();
      await http.close();
      for (const stop of spec.stop ?? []) await stop().catch((err) => logger.warn({ err }, 'stop step failed'));
      await spec.bus?.stop().catch((err) => logger.warn({ err }, 'bus stop failed'));
      for (const close of spec.close ?? []) await close().catch((err) => logger.warn({ err }, 'close step failed'));
      await spec.pool?.end().catch((err) => logger.warn({ err }, 'closing the pool failed'));
      clearTimeout(deadline);
      logger.info({}, 'stopped');
    })();
    return stopping;
  };
  for (const signal of spec.handleSignals === false ? [] : (['SIGTERM', 'SIGINT'] as const)) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      void shutdown(signal).then(() => process.exit(0));
    });
  }
  return { port, shutdown };
}
