import { Counter, Gauge, Histogram, type ServiceMetrics } from '@kanal/observability';

export type EmailMetrics = ReturnType<typeof createEmailMetrics>;

/** Connector-specific metrics; `mailbox` is the business mailbox address (not customer data). */
export function createEmailMetrics(metrics: ServiceMetrics) {
  const registers = [metrics.registry];
  return {
    messages: new Counter({
      name: 'kanal_email_messages_total',
      help: 'Messages read from IMAP, per mailbox, folder and outcome (published, duplicate, dead_lettered)',
      labelNames: ['mailbox', 'folder', 'outcome'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'kanal_email_dead_lettered_total',
      help: 'Messages that could not be parsed or mapped, published to the DLQ with their raw bytes, per mailbox and code',
      labelNames: ['mailbox', 'code'] as const,
      registers,
    }),
    skipped: new Counter({
      name: 'kanal_email_skipped_total',
      help: 'UIDs found by SEARCH that were gone by the time they were fetched (expunged in between), per mailbox, folder and reason',
      labelNames: ['mailbox', 'folder', 'reason'] as const,
      registers,
    }),
    pages: new Histogram({
      name: 'kanal_email_page_duration_seconds',
      help: 'Time to fetch, parse, publish and commit one UID page',
      labelNames: ['mailbox', 'folder'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    backlog: new Gauge({
      name: 'kanal_email_backlog_messages',
      help: 'Messages above the cursor still to drain, per mailbox and folder',
      labelNames: ['mailbox', 'folder'] as const,
      registers,
    }),
    connected: new Gauge({
      name: 'kanal_email_connected',
      help: '1 while the folder has a live IMAP connection',
      labelNames: ['mailbox', 'folder'] as const,
      registers,
    }),
    reconnects: new Counter({
      name: 'kanal_email_reconnects_total',
      help: 'IMAP reconnects after a drop or error, per mailbox and folder',
      labelNames: ['mailbox', 'folder'] as const,
      registers,
    }),
    resyncs: new Counter({
      name: 'kanal_email_uidvalidity_resyncs_total',
      help: 'UIDVALIDITY changes that voided the cursor (full rescan with dedup)',
      labelNames: ['mailbox', 'folder'] as const,
      registers,
    }),
    attachmentBytes: new Counter({
      name: 'kanal_email_attachment_bytes_total',
      help: 'Attachment bytes stored in the blob store',
      labelNames: ['mailbox'] as const,
      registers,
    }),
  };
}
