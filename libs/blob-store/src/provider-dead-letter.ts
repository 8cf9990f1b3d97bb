import {
  buildProviderDeadLetter,
  deadLetterNeedsBlob,
  type KanalEvent,
  type ProviderDeadLetterInput,
} from '@kanal/contracts';
import type { BlobStore } from './blob-store.port';

/**
 * A connector's dead letter whose payload goes to the blob store when it is too large to carry
 * inline, so the raw item is always kept whole. A failing blob store throws: the caller must not
 * acknowledge the provider (the provider's redelivery is the retry).
 */
export async function deadLetterWithBlob(
  input: Omit<ProviderDeadLetterInput, 'blobRef'>,
  store: BlobStore | undefined,
): Promise<KanalEvent<'kanal.dlq.record.v1'>> {
  if (!store || !deadLetterNeedsBlob(input.payload)) return buildProviderDeadLetter(input);
  const bytes = typeof input.payload === 'string' ? Buffer.from(input.payload, 'utf8') : input.payload;
  const { blobRef } = await store.put(bytes);
  return buildProviderDeadLetter({ ...input, blobRef });
}
