import { Counter, Gauge, Histogram, type ServiceMetrics } from '@kanal/observability';

export type EmailMetrics = ReturnType<typeof createEmailMetrics>;

/** Connector-specific metrics; `mailbox` is the business mailbox address (not customer data). */
export function createEmailMetrics(metrics: ServiceMetrics) {
  const registers = [metrics.registry];
  return {
    dropped: metrics.dropped,
    messages: new Counter({
      name: 'kanal_email_messages_total',
      help: 'Messages read from IMAP, per mailbox, folder and outcome (published, duplicate, failed)',
      labelNames: ['mailbox', 'folder', 'outcome'] as const,
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
