import { buildInboundEvent, TOPICS, type Attachment, type MessageData } from '@kanal/contracts';
import { BlobTooLargeError, type BlobStore, type StoredBlob } from '@kanal/blob-store';
import type { EventPublisher } from '@kanal/kafka';
import { SOURCE, type MediaJob } from '../normalize/normalized-batch';
import type { GraphMediaSource } from './graph-media-source';
import { PermanentJobError } from './retry-queue';

export interface StoreMediaDeps {
  source: Pick<GraphMediaSource, 'open'>;
  blobs: BlobStore;
  publisher: EventPublisher;
  maxBytes: number;
  now?: () => Date;
}

/** A queued job remembers what it already stored, so a retry fetches only what is still missing. */
export interface MediaTask extends MediaJob {
  stored?: Map<number, StoredBlob & { mimeType?: string }>;
}

/**
 * Fetches every pending attachment of one message into the blob store, then publishes one
 * `kanal.attachment.stored.v1` (id suffix `media`, so a retry or redelivery repeats the same id).
 */
export function storeMessageMedia(deps: StoreMediaDeps) {
  return async (task: MediaTask): Promise<void> => {
    task.stored ??= new Map();
    for (const item of task.items) {
      if (task.stored.has(item.index)) continue;
      const opened = await deps.source.open(item);
      const blob = await deps.blobs.put(opened.stream, { maxBytes: deps.maxBytes }).catch((error: unknown) => {
        if (error instanceof BlobTooLargeError) throw new PermanentJobError(error.code, error.message);
        throw error;
      });
      task.stored.set(item.index, { ...blob, mimeType: item.mimeType ?? opened.mimeType });
    }
    const message = task.message.data as MessageData;
    const attachments = [...task.stored].map(([index, blob]) => ({
      index,
      kind: (message.attachments[index]?.kind ?? 'other') as Attachment['kind'],
      mimeType: blob.mimeType?.slice(0, 255),
      blobRef: blob.blobRef,
      sha256: blob.sha256,
      size: blob.size,
    }));
    const event = buildInboundEvent(
      'kanal.attachment.stored.v1',
      {
        channel: message.channel,
        provider: message.provider,
        accountId: message.accountId,
        direction: message.direction,
        externalId: message.externalId,
        conversationRef: message.conversationRef,
        occurredAt: message.occurredAt,
        receivedAt: (deps.now?.() ?? new Date()).toISOString(),
        target: { externalId: message.externalId },
        attachments,
      },
      { source: SOURCE, idSuffix: 'media' },
    );
    await deps.publisher.publish([{ topic: TOPICS.inbound, key: event.subject!, event }]);
  };
}
