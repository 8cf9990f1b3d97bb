import { httpListener } from '@kanal/config';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsBlobStore, type BlobStore } from '@kanal/blob-store';
import { normalizeIdentityValue } from '@kanal/contracts';
import { KafkajsEventBus, type EventBus } from '@kanal/kafka';
import { createLogger, createMetrics, type Logger } from '@kanal/observability';
import { createPool, migrate } from '@kanal/postgres';
import { runService, type RunningService } from '@kanal/service';
import { SERVICE, type Config, type MailboxConfig } from './config';
import { createEmailMetrics } from './email-metrics';
import { FolderWatcher } from './imap/folder-watcher';
import { PgCursorStore } from './store/pg-cursor-store';
import { PgThreadIndex } from './store/pg-thread-index';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../migrations');

export interface ConnectorEmailOverrides {
  logger?: Logger;
  bus?: EventBus;
  blobs?: BlobStore;
  handleSignals?: boolean;
}

/** Composition root: logger → metrics → bus → stores → one watcher per mailbox folder → runService. */
export async function startConnectorEmail(
  config: Config,
  overrides: ConnectorEmailOverrides = {},
): Promise<RunningService> {
  const logger = overrides.logger ?? createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetrics(SERVICE);
  const emailMetrics = createEmailMetrics(metrics);
  const bus = overrides.bus ?? new KafkajsEventBus({ env: config, service: SERVICE, logger, metrics: metrics.bus });
  await migrate({ databaseUrl: config.DATABASE_URL, schema: config.EMAIL_DB_SCHEMA, dir: MIGRATIONS_DIR });
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, service: SERVICE });
  const cursors = new PgCursorStore(pool, config.EMAIL_DB_SCHEMA);
  const blobs = overrides.blobs ?? new FsBlobStore(config.BLOB_DIR);

  const watchers = config.EMAIL_MAILBOXES.flatMap((mailbox) =>
    foldersOf(mailbox).map((folder) => {
      const account = normalizeIdentityValue('email', mailbox.address);
      return new FolderWatcher(
        mailbox,
        {
          account,
          folder,
          sentFolder: folder === mailbox.sentFolder,
          preferReplyTo: mailbox.preferReplyTo,
          moveTo: folder === mailbox.sentFolder ? undefined : mailbox.moveTo,
          bus,
          cursors,
          threads: new PgThreadIndex(pool, config.EMAIL_DB_SCHEMA),
          blobs,
          logger: logger.child({ mailbox: account }),
          metrics: emailMetrics,
          limits: {
            pageSize: config.EMAIL_PAGE_SIZE,
            maxAttachmentBytes: config.EMAIL_MAX_ATTACHMENT_BYTES,
            maxMessageBytes: config.EMAIL_MAX_MESSAGE_BYTES,
            fallbackCharset: config.EMAIL_FALLBACK_CHARSET,
            threadWindowDays: config.EMAIL_THREAD_WINDOW_DAYS,
          },
        },
        {
          idleDelayMs: config.EMAIL_IDLE_DELAY_MS,
          pollIntervalMs: config.EMAIL_POLL_INTERVAL_MS,
          reconnectMaxMs: config.EMAIL_RECONNECT_MAX_MS,
        },
      );
    }),
  );

  return runService({
    name: SERVICE,
    logger,
    metrics,
    http: httpListener(config),
    bus,
    start: async () => {
      for (const w of watchers) w.start();
    },
    stop: [() => Promise.all(watchers.map((w) => w.stop())).then(() => undefined)],
    pool,
    handleSignals: overrides.handleSignals,
  });
}

function foldersOf(mailbox: MailboxConfig): string[] {
  return [...new Set([...mailbox.folders, ...(mailbox.sentFolder ? [mailbox.sentFolder] : [])])];
}
