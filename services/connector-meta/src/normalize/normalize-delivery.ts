import { deadLetterWithBlob, type BlobStore } from '@kanal/blob-store';
import type { CloudEvent, KanalEvent } from '@kanal/contracts';
import { META_CODES } from './meta-codes';
import {
  CHANNEL_OF,
  normalizeWebhook,
  type MetaProvider,
  type NormalizeOptions,
  type NormalizeWebhook,
} from './normalize-webhook';
import { SOURCE, type DeadLetterItem, type ItemRef, type MediaJob, type SkippedItem } from './normalized-batch';

export interface DeliveryOptions extends NormalizeOptions {
  /** Accounts this deployment serves; undefined: every account (`kanal normalize` without account variables). */
  knownAccounts?: ReadonlySet<string>;
  /** Where dead letters too large to carry inline are kept; a failing store throws (do not answer 200). */
  blobStore?: BlobStore;
  /** The mapper (today's `normalizeWebhook` unless a test stands in an older one). */
  normalize?: NormalizeWebhook;
}

export interface DeliveryDeadLetter {
  code: string;
  accountId?: string;
  locator: string;
  event: KanalEvent<'kanal.dlq.record.v1'>;
}

/** What one delivery becomes: events and dead letters to publish together, skips to count, media to fetch. */
export interface Delivery {
  events: Array<{ accountId: string; event: CloudEvent }>;
  deadLetters: DeliveryDeadLetter[];
  skipped: SkippedItem[];
  media: MediaJob[];
}

/**
 * A verified delivery → everything the connector publishes for it. The service and the CLI
 * normalizer (`kanal normalize`, `kanal dlq replay`) share this, so a replayed letter goes the
 * exact path a live webhook goes. Items of accounts the deployment does not serve become
 * `META.UNKNOWN_ACCOUNT` letters: they can be replayed once the account is configured.
 */
export async function normalizeDelivery(
  provider: MetaProvider,
  raw: Buffer,
  options: DeliveryOptions,
): Promise<Delivery> {
  const batch = (options.normalize ?? normalizeWebhook)(provider, raw, { receivedAt: options.receivedAt });
  const known = (accountId: string | undefined) => !options.knownAccounts || options.knownAccounts.has(accountId ?? '');
  const letters: DeadLetterItem[] = [...batch.deadLetters];
  const unknownItems = new Set<ItemRef>();
  for (const { accountId, item } of batch.events) {
    if (known(accountId) || unknownItems.has(item)) continue;
    unknownItems.add(item);
    letters.push({ code: META_CODES.unknownAccount, message: 'no account of this deployment matches the item', item });
  }
  const events = batch.events
    .filter((e) => !unknownItems.has(e.item))
    .map(({ accountId, event }) => ({ accountId, event }));
  const published = new Set(events.map((e) => e.event));
  const deadLetters: DeliveryDeadLetter[] = [];
  for (const letter of letters) {
    const event = await deadLetterWithBlob(
      {
        source: SOURCE,
        provider,
        channel: CHANNEL_OF[provider],
        // A provider value too long to be an account id is still kept, in the payload.
        ...(letter.item.accountId && letter.item.accountId.length <= 320 ? { accountId: letter.item.accountId } : {}),
        code: letter.code,
        message: letter.message,
        payload: letter.item.payload(),
        contentType: 'application/json',
        receivedAt: options.receivedAt,
        item: letter.item.locator,
        ...(letter.item.key ? { key: letter.item.key } : {}),
      },
      options.blobStore,
    );
    deadLetters.push({ code: letter.code, accountId: letter.item.accountId, locator: letter.item.locator, event });
  }
  return {
    events,
    deadLetters,
    skipped: batch.skipped,
    media: batch.media.filter((job) => published.has(job.message)),
  };
}
