import { z } from 'zod';
import { databaseEnv, httpEnv, logEnv } from '@kanal/config';
import { kafkaEnv } from '@kanal/kafka';

export const SERVICE = 'connector-email';

const mailboxSchema = z
  .object({
    /** The mailbox's own address: the `accountId`, and mail from it is `direction: outbound`. */
    address: z.email(),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535).default(993),
    /** Implicit TLS (993). With false, STARTTLS is used when `startTls` is true. */
    secure: z.boolean().default(true),
    startTls: z.boolean().default(true),
    /** Only for test servers with self-signed certificates. */
    tlsRejectUnauthorized: z.boolean().default(true),
    user: z.string().min(1),
    password: z.string().min(1).optional(),
    accessToken: z.string().min(1).optional(),
    folders: z.array(z.string().min(1)).min(1).default(['INBOX']),
    /** Optional Sent folder: outbound echoes (`kanal.message.sent.v1`). */
    sentFolder: z.string().min(1).optional(),
    /** Housekeeping after the Kafka ack; the cursor stays the source of truth. */
    moveTo: z.string().min(1).optional(),
    /** Use Reply-To (when present) as the customer's identity instead of From. */
    preferReplyTo: z.boolean().default(false),
  })
  .refine((m) => m.password || m.accessToken, { message: 'needs password or accessToken' });
export type MailboxConfig = z.infer<typeof mailboxSchema>;

const mailboxesEnv = z.string().transform((raw, ctx) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of mailboxes' });
    return z.NEVER;
  }
});

export const configSchema = z
  .object({
    ...kafkaEnv,
    ...httpEnv,
    ...logEnv,
    ...databaseEnv,
    PORT: z.coerce.number().int().min(0).max(65_535).default(8083),
    /** JSON array: `[{"address","host","port","secure","user","password"|"accessToken","folders"}]`. */
    EMAIL_MAILBOXES: mailboxesEnv.pipe(z.array(mailboxSchema).min(1)),
    EMAIL_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('connector_email'),
    BLOB_DIR: z.string().min(1).default('.kanal/blobs'),
    EMAIL_MAX_ATTACHMENT_BYTES: z.coerce.number().int().min(1).default(25 * 1024 * 1024),
    EMAIL_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1).default(50 * 1024 * 1024),
    /** UIDs per page when draining a backlog (bounded memory). */
    EMAIL_PAGE_SIZE: z.coerce.number().int().min(1).max(5_000).default(250),
    /** Safety poll (and the polling fallback when the server has no IDLE). */
    EMAIL_POLL_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
    EMAIL_IDLE_DELAY_MS: z.coerce.number().int().min(0).default(500),
    EMAIL_RECONNECT_MAX_MS: z.coerce.number().int().min(100).default(30_000),
    /** Subject-only threading looks this far back for the same sender. */
    EMAIL_THREAD_WINDOW_DAYS: z.coerce.number().int().min(0).default(14),
    /** Charset used for parts whose declared charset is unknown (flagged `charsetFallback`). */
    EMAIL_FALLBACK_CHARSET: z.string().default('windows-1254'),
  });
export type Config = z.output<typeof configSchema>;
