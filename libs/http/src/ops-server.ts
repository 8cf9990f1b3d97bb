import type { Server } from 'node:http';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger, Registry } from '@kanal/observability';
import { maskPii } from '@kanal/observability';
import { maskedError, routeTemplate } from './error-log-fields';
import { HttpError } from './http-error';
import { createLimitedServer, type ServerLimits } from './server-limits';

/** One readiness dependency (Kafka, Postgres, an IMAP session…). */
export interface ReadinessCheck {
  name: string;
  /** Up or down; with `detail`, what a failing dependency reports (e.g. the stuck partitions). */
  check: () => Promise<boolean | { ok: boolean; detail?: unknown }>;
}

export interface OpsServerOptions {
  service: string;
  registry: Registry;
  logger: Logger;
  readiness: ReadinessCheck[];
  /** Mounts the service's own routes between the ops endpoints and the error handler. */
  routes?: (app: Express) => void;
}

/**
 * The service's HTTP app: `/health/live`, `/health/ready` (every dependency), `/metrics`, the
 * service routes, then one error handler that answers `{ code, message }`.
 */
export function createHttpApp(options: OpsServerOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.get('/health/live', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/health/ready', async (_req, res) => {
    const results = await Promise.all(
      options.readiness.map(async (r) => {
        try {
          const answer = await withTimeout(r.check(), 3_000);
          return typeof answer === 'boolean' ? { name: r.name, ok: answer } : { name: r.name, ...answer };
        } catch {
          return { name: r.name, ok: false };
        }
      }),
    );
    const ok = results.every((r) => r.ok);
    const details = results.filter((r) => !r.ok && r.detail !== undefined).map((r) => [r.name, r.detail]);
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ready' : 'not-ready',
      checks: Object.fromEntries(results.map((r) => [r.name, r.ok])),
      ...(details.length ? { details: Object.fromEntries(details) } : {}),
    });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.registry.contentType).send(await options.registry.metrics());
  });
  options.routes?.(app);
  app.use((req, _res, next) => next(new HttpError(404, 'HTTP.NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(options.logger));
  return app;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof HttpError) {
      if (error.status >= 500) logger.error({ code: error.code, route: routeTemplate(req) }, maskPii(error.message));
      res
        .status(error.status)
        .json({ code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) });
      return;
    }
    // body-parser errors: too large, malformed JSON, bad charset.
    const status = typeof error?.status === 'number' ? error.status : 500;
    if (status === 413)
      return void res.status(413).json({ code: 'HTTP.BODY_TOO_LARGE', message: 'request body exceeds the limit' });
    if (status === 400 && error?.type === 'entity.parse.failed') {
      return void res.status(400).json({ code: 'HTTP.INVALID_JSON', message: 'request body is not valid JSON' });
    }
    if (status >= 400 && status < 500) {
      return void res
        .status(status)
        .json({ code: 'HTTP.BAD_REQUEST', message: maskPii(String(error?.message ?? 'bad request')) });
    }
    logger.error({ err: maskedError(error), route: routeTemplate(req), code: error?.code }, 'unhandled error');
    res.status(500).json({ code: 'HTTP.INTERNAL', message: 'internal error' });
  };
}

/**
 * Listens with header, request and keep-alive timeouts and a connection cap (`limits`, defaults
 * in DEFAULT_SERVER_LIMITS) and resolves once bound; `close()` stops accepting and waits for open
 * requests.
 */
export async function listen(
  app: Express,
  port: number,
  host = '0.0.0.0',
  limits: Partial<ServerLimits> = {},
): Promise<{ server: Server; close: () => Promise<void> }> {
  const server = createLimitedServer(app, limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
