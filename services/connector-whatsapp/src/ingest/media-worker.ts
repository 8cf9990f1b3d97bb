import type { Readable } from 'node:stream';
import { buildInboundEvent, TOPICS, type Attachment, type KanalEvent, type MessageData } from '@kanal/contracts';
import type { BlobStore } from '@kanal/blob-store';
import type { EventPublisher } from '@kanal/kafka';
import { errorCode } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import { EVENT_SOURCE } from '../mapping/map-context';
import type { WhatsappMetrics } from '../whatsapp-metrics';
import { publishWithRetry } from './publish-with-retry';

export interface MediaJob {
  sessionId: string;
  /** The published message whose attachments are fetched. */
  event: KanalEvent;
  indexes: number[];
  download: () => Promise<Readable | Buffer>;
}

export interface MediaWorkerOptions {
  blobs: BlobStore;
  bus: EventPublisher;
  maxBytes: number;
  concurrency: number;
  attempts: number;
  logger: Logger;
  metrics: WhatsappMetrics;
}

/**
 * Downloads media off the hot path: the message is already published with the media described;
 * `kanal.attachment.stored.v1` follows with the blob references (id suffix `media`).
 */
export class MediaWorker {
  private readonly queue: MediaJob[] = [];
  private running = 0;
  private stopping = false;
  private idle: Array<() => void> = [];

  constructor(private readonly options: MediaWorkerOptions) {}

  enqueue = (job: MediaJob): void => {
    this.queue.push(job);
    this.pump();
  };

  /** Resolves when the queue is empty and nothing runs (shutdown, tests). */
  drain(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Gives queued downloads a grace period, then abandons the rest (they are logged and counted). */
  async stop(graceMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.drain(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.stopping = true;
    if (this.queue.length) {
      this.options.metrics.dropped.inc({ reason: 'media-abandoned-at-shutdown' }, this.queue.length);
      this.options.logger.warn({ pending: this.queue.length }, 'media downloads abandoned at shutdown');
    }
    this.queue.length = 0;
    await this.drain();
  }

  private pump() {
    while (!this.stopping && this.running < this.options.concurrency && this.queue.length) {
      const job = this.queue.shift()!;
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) this.idle.splice(0).forEach((r) => r());
      });
    }
  }

  private async run(job: MediaJob): Promise<void> {
    const { logger, metrics } = this.options;
    const message = job.event.data as MessageData;
    const stored: Array<Attachment & { index: number }> = [];
    for (const index of job.indexes) {
      const described = message.attachments[index];
      if (!described) continue;
      const blob = await this.fetch(job).catch((error: unknown) => {
        const code = errorCode(error, 'MEDIA.DOWNLOAD_FAILED');
        metrics.media.inc({ outcome: code === 'BLOB.TOO_LARGE' ? 'too-large' : 'failed' });
        metrics.dropped.inc({ reason: code === 'BLOB.TOO_LARGE' ? 'media-too-large' : 'media-download-failed' });
        logger.warn({ code, sessionId: job.sessionId, id: message.externalId }, 'media not stored');
        return undefined;
      });
      if (!blob) continue;
      metrics.media.inc({ outcome: 'stored' });
      stored.push({ index, kind: described.kind, ...(described.mimeType ? { mimeType: described.mimeType } : {}), ...blob });
    }
    if (!stored.length) return;
    const rest = message;
    const event = buildInboundEvent(
      'kanal.attachment.stored.v1',
      {
        channel: rest.channel,
        provider: rest.provider,
        accountId: rest.accountId,
        direction: rest.direction,
        externalId: rest.externalId,
        conversationRef: rest.conversationRef,
        occurredAt: rest.occurredAt,
        receivedAt: new Date().toISOString(),
        target: { externalId: rest.externalId },
        attachments: stored,
      },
      { source: EVENT_SOURCE, idSuffix: 'media' },
    );
    const topic = TOPICS.inbound;
    await publishWithRetry(this.options.bus, [{ topic, key: event.subject!, event }], logger, { stopped: () => this.stopping }).catch(
      (error: unknown) => logger.error({ code: errorCode(error), id: message.externalId }, 'attachment.stored not published'),
    );
  }

  private async fetch(job: MediaJob) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.blobs.put(await job.download(), { maxBytes: this.options.maxBytes });
      } catch (error) {
        if (errorCode(error, '') === 'BLOB.TOO_LARGE' || attempt >= this.options.attempts || this.stopping) throw error;
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }
}
