import { z } from 'zod';
import { databaseEnv, envFlag, envList, httpEnv, logEnv } from '@kanal/config';
import { kafkaEnv } from '@kanal/kafka';

const userId = z.string().regex(/^\d{1,30}$/, 'must be a numeric X user id');

/** User-context credentials of one polled account (app-only auth cannot read DMs). */
export type XAccountAuth =
  { type: 'oauth2-user'; accessToken: string } | { type: 'oauth1'; accessToken: string; accessSecret: string };

export interface XAccount {
  userId: string;
  auth: XAccountAuth;
}

const baseSchema = z.looseObject({
  ...kafkaEnv,
  ...httpEnv,
  // 0 = any free port (in-process tests).
  PORT: z.coerce.number().int().min(0).max(65_535).default(8085),
  ...logEnv,
  ...databaseEnv,
  /** Postgres schema of the poll cursors (tests use their own). */
  X_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('connector_x'),
  /** Accounts to poll: numeric user ids; each needs X_ACCESS_TOKEN_<id> (and X_ACCESS_SECRET_<id> for OAuth 1.0a). */
  X_ACCOUNTS: envList.pipe(z.array(userId)).default([]),
  /** Our X user id (docs/architecture.md#2-the-event-contract): used by `kanal normalize x-dm`; also accepted as a webhook account. */
  X_ACCOUNT_ID: userId.optional(),
  X_CONSUMER_KEY: z.string().min(1).optional(),
  X_CONSUMER_SECRET: z.string().min(1).optional(),
  X_WEBHOOK_ENABLED: envFlag.default(false),
  X_POLL_ENABLED: envFlag.default(true),
  /** Floor between two polls of one account; the rate-limit headers may stretch it (15 requests / 15 min). */
  X_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(60_000),
  X_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(100),
  X_API_BASE_URL: z
    .url({ protocol: /^https$/, error: 'must be an https:// URL (the client speaks TLS only)' })
    .default('https://api.x.com/'),
  /** Extra CA certificate (PEM file) trusted for X_API_BASE_URL, added to the system roots. */
  X_API_CA_FILE: z.string().min(1).optional(),
  X_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
});

export const configSchema = baseSchema.transform((env, ctx) => {
  const accounts: XAccount[] = [];
  for (const id of env.X_ACCOUNTS) {
    const accessToken = stringVar(env, `X_ACCESS_TOKEN_${id}`);
    const accessSecret = stringVar(env, `X_ACCESS_SECRET_${id}`);
    if (!accessToken) {
      ctx.addIssue({
        code: 'custom',
        path: [`X_ACCESS_TOKEN_${id}`],
        message: `is required for account ${id} listed in X_ACCOUNTS`,
      });
      continue;
    }
    if (accessSecret && (!env.X_CONSUMER_KEY || !env.X_CONSUMER_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: ['X_CONSUMER_KEY'],
        message: 'X_CONSUMER_KEY and X_CONSUMER_SECRET are required for OAuth 1.0a accounts',
      });
    }
    accounts.push({
      userId: id,
      auth: accessSecret ? { type: 'oauth1', accessToken, accessSecret } : { type: 'oauth2-user', accessToken },
    });
  }
  if (env.X_WEBHOOK_ENABLED && !env.X_CONSUMER_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['X_CONSUMER_SECRET'],
      message: 'is required when X_WEBHOOK_ENABLED=true (CRC and signatures)',
    });
  }
  const webhookAccounts = [...new Set([...env.X_ACCOUNTS, ...(env.X_ACCOUNT_ID ? [env.X_ACCOUNT_ID] : [])])];
  if (env.X_WEBHOOK_ENABLED && webhookAccounts.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['X_ACCOUNTS'],
      message: 'X_ACCOUNTS or X_ACCOUNT_ID must name the subscribed account(s) when the webhook is enabled',
    });
  }
  return { ...pick(env), accounts, webhookAccounts };
});

export type Config = z.output<typeof configSchema>;

function stringVar(env: Record<string, unknown>, name: string): string | undefined {
  const v = env[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Only the declared variables travel on: the loose parse must not carry the whole environment. */
function pick(env: z.output<typeof baseSchema>) {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(baseSchema.shape)) out[key] = env[key];
  return out as { [K in keyof typeof baseSchema.shape]: z.output<typeof baseSchema>[K] };
}
