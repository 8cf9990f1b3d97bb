import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { databaseEnv, httpEnv, logEnv, requireTokens } from '@kanal/config';
import { kafkaEnv } from '@kanal/kafka';

export const SERVICE = 'router';
export const DEFAULT_ROUTING_CONFIG = fileURLToPath(new URL('../config/default.yaml', import.meta.url));

export const configSchema = z
  .object({
    ...kafkaEnv,
    ...httpEnv,
    ...logEnv,
    ...databaseEnv,
    /** 0 picks a free port (tests). */
    PORT: z.coerce.number().int().min(0).max(65_535).default(8091),
    /** Queues, calendars, SLA targets and rules (YAML or JSON). */
    ROUTER_CONFIG: z.string().min(1).default(DEFAULT_ROUTING_CONFIG),
    ROUTER_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('router'),
    ROUTER_GROUP_ID: z.string().min(1).default('kanal-router'),
    /** How often due SLA deadlines are claimed. */
    ROUTER_SLA_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
    ROUTER_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(6),
  })
  .superRefine(requireTokens);

export type RouterConfig = z.output<typeof configSchema>;
