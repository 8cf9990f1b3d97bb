import { z } from 'zod';
import { ConfigError } from './load-config';

/** `true/false/1/0/yes/no` → boolean. */
export const envFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Comma-separated list, blanks trimmed, empties dropped. */
export const envList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const ms = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const logEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** HTTP listener and API auth: bearer tokens (`AUTH_TOKENS=a,b`) unless AUTH_DISABLED=true (dev only). */
export const httpEnv = {
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65_535),
  AUTH_TOKENS: envList.pipe(z.array(z.string().min(16, 'each token must have at least 16 characters'))).default([]),
  AUTH_DISABLED: envFlag.default(false),
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb or 512kb')
    .default('1mb'),
  // How long a client may take and how many may be connected (a slow-body client otherwise holds
  // a connection for node's 300 s; enough of them starve the service). Defaults: libs/http server-limits.ts.
  HTTP_HEADERS_TIMEOUT_MS: ms(100, 300_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: ms(100, 600_000).default(30_000),
  // Longer than the usual proxies' 60 s idle timeout; 0 would mean "never" to node, so it is refused.
  HTTP_KEEP_ALIVE_TIMEOUT_MS: ms(100, 600_000).default(65_000),
  HTTP_MAX_CONNECTIONS: ms(1, 1_000_000).default(1_024),
};

export interface HttpListenerEnv {
  PORT: number;
  HOST: string;
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  HTTP_MAX_CONNECTIONS: number;
}

/** Where a service listens and the limits its server enforces, from the `httpEnv` variables. */
export function httpListener(config: HttpListenerEnv) {
  // node refuses a headers timeout longer than the request timeout; say which variable to change.
  if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      ['HTTP_HEADERS_TIMEOUT_MS'],
      `HTTP_HEADERS_TIMEOUT_MS (${config.HTTP_HEADERS_TIMEOUT_MS}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${config.HTTP_REQUEST_TIMEOUT_MS})`,
    );
  }
  return {
    port: config.PORT,
    host: config.HOST,
    limits: {
      headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: config.HTTP_MAX_CONNECTIONS,
    },
  };
}

export const databaseEnv = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/postgres'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
};

export const phoneEnv = {
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter region code such as TR')
    .transform((v) => v.toUpperCase())
    .default('TR'),
};

/** AUTH_TOKENS must be set unless auth is explicitly disabled: an open API is never the default. */
export function requireTokens<T extends { AUTH_TOKENS: string[]; AUTH_DISABLED: boolean }>(
  config: T,
  ctx: z.RefinementCtx,
) {
  if (!config.AUTH_DISABLED && config.AUTH_TOKENS.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_TOKENS'], message: 'is required (or set AUTH_DISABLED=true for dev)' });
  }
}
