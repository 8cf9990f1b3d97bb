import { PassThrough } from 'node:stream';
import type { AttachmentStream } from 'mailparser';
import type { BlobStore, StoredBlob } from '@kanal/blob-store';
import type { Attachment } from '@kanal/contracts';
import { cleanId } from './message-id';

export interface StoredPart {
  attachment: Attachment;
  bouncedMessageId?: string;
  deliveryStatus: boolean;
  calendar: boolean;
  oversize: boolean;
}

interface StoreOptions {
  blobs: BlobStore;
  maxAttachmentBytes: number;
  /** Bytes still allowed for this message's attachments (shared across its parts). */
  budget: { remaining: number };
}

// Parts of a bounce that carry the returned message's headers (RFC 3464 / RFC 6522).
const RETURNED_HEADERS = /^(message\/rfc822|text\/rfc822-headers|message\/rfc822-headers|message\/global-headers)$/;
const PEEK_BYTES = 64 * 1024;

/**
 * Streams one attachment into the blob store under the caps. The parser waits until the part is
 * consumed and released, so the stream is always read to its end, even past a cap.
 */
export async function storeAttachment(part: AttachmentStream, options: StoreOptions): Promise<StoredPart> {
  const mimeType = part.contentType.toLowerCase();
  const cap = Math.max(0, Math.min(options.maxAttachmentBytes, options.budget.remaining));
  const sink = new PassThrough();
  const put: Promise<StoredBlob | Error> = options.blobs.put(sink, { maxBytes: cap }).catch((error: Error) => error);
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
  } finally {
    part.release?.();
  }
  const stored = await put;
  const oversize = stored instanceof Error;
  if (!oversize) options.budget.remaining -= stored.size;
  const inline = Boolean(part.related || (part.contentDisposition === 'inline' && part.cid));
  const attachment: Attachment = {
    kind: kindOf(mimeType),
    mimeType,
    ...(part.filename ? { name: part.filename.slice(0, 1_024) } : {}),
    size: oversize ? size : stored.size,
    ...(oversize ? {} : { sha256: stored.sha256, blobRef: stored.blobRef }),
    ...(inline ? { inline: true } : {}),
    ...(part.cid ? { contentId: part.cid.slice(0, 998) } : {}),
  };
  return {
    attachment,
    oversize,
    deliveryStatus: mimeType === 'message/delivery-status',
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
  const m = /^message-id:\s*(<[^>\r\n]+>)/im.exec(head);
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
