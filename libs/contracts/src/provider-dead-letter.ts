import { createHash } from 'node:crypto';
import type { Channel, Provider } from './channel';
import { buildEvent } from './build-event';
import { providerDeadLetterId } from './event-id';
import type { KanalEvent } from './event-types';

/**
 * Most bytes a dead letter carries inline (as JSON-escaped text): well below the broker's 1 MB
 * record limit, so a dead letter can always be published. Larger payloads go to the blob store.
 */
export const DEAD_LETTER_INLINE_BYTES = 512 * 1024;

export interface ProviderDeadLetterInput {
  /** `kanal/<connector>`. */
  source: string;
  provider: Provider;
  channel?: Channel;
  accountId?: string;
  /** Stable code of why the item could not become an event (`META.UNMAPPED_ITEM`, ...). */
  code: string;
  /** For the operator; no personal data (the payload is in `value`). */
  message: string;
  /** The raw provider payload: the smallest provider-shaped document holding the item. */
  payload: Uint8Array | string;
  contentType: string;
  receivedAt: string;
  /** Where in the delivery the item was, without personal data. */
  item?: string;
  /** The inbound key the item would have had, when known; `provider:accountId` otherwise. */
  key?: string;
  headers?: Record<string, string>;
  /** Set when the payload was stored in the blob store because `deadLetterNeedsBlob` said so. */
  blobRef?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asBytes(payload: Uint8Array | string): Buffer {
  return typeof payload === 'string'
    ? Buffer.from(payload, 'utf8')
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

function inlineText(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** JSON escaping can grow text sixfold (`"` → `\"`, control characters → `\u0000`): measure, don't guess. */
function fitsInline(text: string): boolean {
  return text.length <= DEAD_LETTER_INLINE_BYTES && Buffer.byteLength(JSON.stringify(text)) <= DEAD_LETTER_INLINE_BYTES;
}

/** Whether the payload is too large to carry inline; the caller then stores it and passes `blobRef`. */
export function deadLetterNeedsBlob(payload: Uint8Array | string): boolean {
  const bytes = asBytes(payload);
  const text = inlineText(bytes);
  return text !== undefined ? !fitsInline(text) : Math.ceil(bytes.length / 3) * 4 > DEAD_LETTER_INLINE_BYTES;
}

/**
 * A provider item a connector could not map, as a `kanal.dlq.record.v1` event (origin
 * `provider`). It always fits the broker: inline (UTF-8 or base64), by blob reference, or, when no
 * blob store took it, truncated with `truncated: true` (sha256 and size name the whole payload).
 */
export function buildProviderDeadLetter(input: ProviderDeadLetterInput): KanalEvent<'kanal.dlq.record.v1'> {
  const bytes = asBytes(input.payload);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let value = '';
  let valueEncoding: 'utf8' | 'base64' = 'utf8';
  let truncated = false;
  if (!input.blobRef) {
    const text = inlineText(bytes);
    if (text !== undefined && fitsInline(text)) value = text;
    else {
      const limit = Math.floor((DEAD_LETTER_INLINE_BYTES / 4) * 3);
      valueEncoding = 'base64';
      truncated = bytes.length > limit;
      value = bytes.subarray(0, limit).toString('base64');
    }
  }
  const accountId = input.accountId ?? '';
  const key = input.key ?? `${input.provider}:${accountId}`;
  const now = new Date().toISOString();
  return buildEvent({
    type: 'kanal.dlq.record.v1',
    id: providerDeadLetterId(input.provider, accountId, sha256, input.code),
    source: input.source,
    subject: key,
    time: now,
    data: {
      origin: 'provider',
      code: input.code,
      message: input.message.slice(0, 4_000),
      key,
      headers: input.headers ?? {},
      value,
      valueEncoding,
      failedAt: now,
      attempts: 1,
      provider: input.provider,
      ...(input.channel ? { channel: input.channel } : {}),
      ...(input.accountId ? { accountId: input.accountId } : {}),
      contentType: input.contentType,
      ...(input.blobRef ? { blobRef: input.blobRef } : {}),
      sha256,
      size: bytes.length,
      ...(truncated ? { truncated: true } : {}),
      receivedAt: input.receivedAt,
      ...(input.item ? { item: input.item.slice(0, 256) } : {}),
    },
  });
}
