import { z } from 'zod';

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

export const logEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** HTTP listener and API auth: bearer tokens (`AUTH_TOKENS=a,b`) unless AUTH_DISABLED=true (dev only). */
export const httpEnv = {
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65_535),
  AUTH_TOKENS: envList.pipe(z.array(z.string().min(16, 'each token must have at least 16 characters'))).default([]),
  AUTH_DISABLED: envFlag.default(false),
  HTTP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb or 512kb').default('1mb'),
};

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
export function requireTokens<T extends { AUTH_TOKENS: string[]; AUTH_DISABLED: boolean }>(config: T, ctx: z.RefinementCtx) {
  if (!config.AUTH_DISABLED && config.AUTH_TOKENS.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_TOKENS'], message: 'is required (or set AUTH_DISABLED=true for dev)' });
  }
}
