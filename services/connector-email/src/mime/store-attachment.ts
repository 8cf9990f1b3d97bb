import { PassThrough } from 'node:stream';
import type { AttachmentStream } from 'mailparser';
import { BLOB_ERROR_CODES, type BlobStore, type StoredBlob } from '@kanal/blob-store';
import type { Attachment } from '@kanal/contracts';
import { retriable } from '../failure';
import { cleanId } from './message-id';
import { nameForPart } from './part-name';

export interface StoredPart {
  attachment: Attachment;
  bouncedMessageId?: string;
  deliveryStatus: boolean;
  feedbackReport: boolean;
  calendar: boolean;
  oversize: boolean;
}

interface StoreOptions {
  blobs: BlobStore;
  maxAttachmentBytes: number;
  /** Bytes still allowed for this message's attachments (shared across its parts). */
  budget: { remaining: number };
}

// Parts of a bounce or an abuse report that carry the returned message's headers (RFC 3464, 6522, 5965).
const RETURNED_HEADERS =
  /^(message\/rfc822|text\/rfc822-headers|message\/rfc822-headers|message\/global|message\/global-headers)$/;
const PEEK_BYTES = 64 * 1024;

/**
 * Streams one attachment into the blob store under the caps. The parser waits until the part is
 * consumed and released, so the stream is always read to its end, even past a cap. Only a cap
 * makes a part `oversize`: any other blob-store failure is retriable (the message is not lost to
 * a full disk), and a broken part stream aborts the store so no temp file is left behind.
 */
export async function storeAttachment(part: AttachmentStream, options: StoreOptions): Promise<StoredPart> {
  // The contract caps mimeType at 255 characters; a hostile Content-Type must not cost the message.
  const mimeType = part.contentType.toLowerCase().slice(0, 255);
  const cap = Math.max(0, Math.min(options.maxAttachmentBytes, options.budget.remaining));
  const sink = new PassThrough();
  const put: Promise<{ blob: StoredBlob } | { error: unknown }> = options.blobs.put(sink, { maxBytes: cap }).then(
    (blob) => ({ blob }),
    (error: unknown) => {
      sink.destroy(); // nobody reads it any more: the part is still read to its end, into nothing
      return { error };
    },
  );
  const peek = RETURNED_HEADERS.test(mimeType);
  let head = '';
  let size = 0;
  try {
    for await (const chunk of part.content as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (peek && head.length < PEEK_BYTES) head += chunk.toString('latin1');
      if (!sink.destroyed && !sink.write(chunk)) await drainOrClose(sink);
    }
    sink.end();
  } catch (error) {
    sink.destroy(error as Error);
    await put;
    throw error;
  } finally {
    part.release?.();
  }
  const result = await put;
  if ('error' in result && (result.error as { code?: unknown } | undefined)?.code !== BLOB_ERROR_CODES.tooLarge)
    throw retriable(result.error);
  const stored = 'blob' in result ? result.blob : undefined;
  const oversize = !stored;
  if (stored) options.budget.remaining -= stored.size;
  const inline = Boolean(part.related || (part.contentDisposition === 'inline' && part.cid));
  const attachment: Attachment = {
    kind: kindOf(mimeType),
    mimeType,
    name: (part.filename || nameForPart(mimeType)).slice(0, 1_024),
    size: stored ? stored.size : size,
    ...(stored ? { sha256: stored.sha256, blobRef: stored.blobRef } : {}),
    ...(inline ? { inline: true } : {}),
    ...(part.cid ? { contentId: part.cid.slice(0, 998) } : {}),
  };
  return {
    attachment,
    oversize,
    deliveryStatus: mimeType === 'message/delivery-status',
    feedbackReport: mimeType === 'message/feedback-report',
    calendar: mimeType === 'text/calendar' || mimeType === 'application/ics',
    ...(peek ? { bouncedMessageId: returnedMessageId(head) } : {}),
  };
}

function kindOf(mimeType: string): Attachment['kind'] {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('message/') || mimeType === 'text/rfc822-headers') return 'other';
  return 'document';
}

function returnedMessageId(head: string): string | undefined {
  // Only the returned message's own header block (up to its first blank line), never its body.
  const block = head.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const m = /^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^>\r\n]+>)/im.exec(block);
  return m ? cleanId(m[1]) : undefined;
}

function drainOrClose(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
