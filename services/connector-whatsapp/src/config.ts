import { z } from 'zod';
import { databaseEnv, envFlag, envList, httpEnv, logEnv, requireTokens } from '@kanal/config';
import { kafkaEnv } from '@kanal/kafka';

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ms = (fallback: number) => z.coerce.number().int().min(0).max(3_600_000).default(fallback);

export const configSchema = z
  .object({
    ...kafkaEnv,
    ...httpEnv,
    ...logEnv,
    ...databaseEnv,
    PORT: z.coerce.number().int().min(0).max(65_535).default(8084),
    /** Sessions (WhatsApp numbers) this deployment runs; more can be created with POST …/pair. */
    WHATSAPP_SESSIONS: envList
      .pipe(z.array(z.string().regex(SESSION_ID, 'session ids are 1-64 of A-Z a-z 0-9 _ -')))
      .default([]),
    WHATSAPP_INGEST_GROUPS: envFlag.default(false),
    /** Print pairing QR codes on the terminal (dev). */
    WHATSAPP_PRINT_QR: envFlag.default(false),
    WHATSAPP_DB_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
      .default('connector_whatsapp'),
    BLOB_DIR: z.string().min(1).default('.kanal/blobs'),
    WHATSAPP_MEDIA_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .default(100 * 1024 * 1024),
    WHATSAPP_MEDIA_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    WHATSAPP_RECONNECT_BASE_MS: ms(1_000),
    WHATSAPP_RECONNECT_MAX_MS: ms(60_000),
    /** How often a standby replica tries to take over a session held elsewhere. */
    WHATSAPP_LEASE_RETRY_MS: ms(15_000),
    WHATSAPP_PAIR_TIMEOUT_MS: ms(30_000),
    /** How long published event ids are remembered for dedup (WhatsApp's offline queue is shorter). */
    WHATSAPP_DEDUP_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  })
  .superRefine(requireTokens);

export type WhatsappConfig = z.output<typeof configSchema>;
export const SESSION_ID_PATTERN = SESSION_ID;
