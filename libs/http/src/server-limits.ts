import { createServer, type Server } from 'node:http';
import type { Express } from 'express';

/**
 * How long a client may take and how many may be connected at once. Without these a client that
 * sends its headers or its body one byte a second (slowloris), or simply opens sockets and says
 * nothing, holds a connection for as long as it likes, and enough of them starve the service.
 */
export interface ServerLimits {
  /** Time to receive the request line and headers. */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included: a slow body is answered 408 and cut off. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this many are closed as soon as they are accepted. */
  maxConnections: number;
}

/** What a server gets when not told otherwise (also the defaults of `httpEnv` in libs/config). */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Longer than the 60 s idle timeout of the usual load balancers and ingress proxies: when the
  // server closes a pooled connection first, the proxy's next request on it fails with a 502.
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1_024,
};

/** A node HTTP server for `app` that enforces `limits` (defaults for whatever is not given). */
export function createLimitedServer(app: Express, given: Partial<ServerLimits> = {}): Server {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...given };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node looks for expired headers and requests only this often (30 s by default, which
      // would let a 30 s request timeout run to a minute); a pass over the open connections is cheap.
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
      ),
    },
    app,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
}
