import { entryPayload, isObject, socialItemPayload, type Json } from '../normalize/item-payload';
import { META_CODES, SKIP_REASONS } from '../normalize/meta-codes';
import type { NormalizeOptions } from '../normalize/normalize-webhook';
import {
  deadLetter,
  emptyBatch,
  mapItem,
  skipItem,
  type ItemRef,
  type NormalizedBatch,
} from '../normalize/normalized-batch';
import { envelopeOf } from '../normalize/webhook-envelope';
import { mapSocialItem, type SocialChannel } from './social-item';

export type { SocialChannel } from './social-item';

const OBJECT = { instagram: 'instagram', messenger: 'page' } as const;
const NAME = { instagram: 'Instagram', messenger: 'Messenger' } as const;

/**
 * Instagram / Messenger webhook body → events. Every entry and every `messaging` and `standby`
 * item is visited and ends as events, a counted skip or a dead letter holding the body reduced to
 * that item. `changes` (comments, mentions, feed) are not direct messages: counted skips.
 */
export function toSocialEvents(channel: SocialChannel, body: unknown, options: NormalizeOptions): NormalizedBatch {
  const batch = emptyBatch();
  const envelope = envelopeOf(body, NAME[channel], OBJECT[channel]);
  envelope.entries.forEach((entry, e) => {
    const whole: ItemRef = { locator: `entry[${e}]`, payload: () => entryPayload(envelope.body, entry) };
    if (!isObject(entry) || typeof entry['id'] !== 'string' || entry['id'] === '' || !listsAreLists(entry)) {
      return deadLetter(batch, whole, META_CODES.invalidItem, 'entry without an id, or with a list that is not a list');
    }
    const accountId = entry['id'];
    // The App Dashboard's "Test" button sends sample content under entry id 0.
    if (accountId === '0') return skipItem(batch, { ...whole, accountId }, SKIP_REASONS.testWebhook);
    const ref = (list: 'messaging' | 'standby' | 'changes', i: number, raw: unknown): ItemRef => ({
      accountId,
      locator: `entry[${e}].${list}[${i}]`,
      ...keyOf(channel, accountId, raw),
      payload: () => socialItemPayload(envelope.body, entry, list, raw),
    });
    for (const list of ['messaging', 'standby'] as const) {
      const items = (entry[list] as unknown[] | undefined) ?? [];
      items.forEach((raw, i) => {
        mapItem(batch, ref(list, i, raw), (sink) =>
          mapSocialItem(sink, { channel, accountId, standby: list === 'standby', receivedAt: options.receivedAt }, raw),
        );
      });
    }
    const changes = (entry['changes'] as unknown[] | undefined) ?? [];
    changes.forEach((raw, i) => {
      const field = isObject(raw) && typeof raw['field'] === 'string' ? raw['field'].slice(0, 64) : undefined;
      skipItem(batch, ref('changes', i, raw), SKIP_REASONS.nonMessageField, field);
    });
  });
  return batch;
}

function listsAreLists(entry: Json): boolean {
  return (['messaging', 'standby', 'changes'] as const).every((l) => entry[l] === undefined || Array.isArray(entry[l]));
}

/** The key a dead letter of this item is published under: the conversation's, when it can be told. */
function keyOf(channel: SocialChannel, accountId: string, raw: unknown): { key?: string } {
  if (!isObject(raw) || !isObject(raw['sender']) || !isObject(raw['recipient'])) return {};
  const sender = raw['sender']['id'];
  const recipient = raw['recipient']['id'];
  const echo = (isObject(raw['message']) && raw['message']['is_echo'] === true) || sender === accountId;
  const customer = echo ? recipient : sender;
  return typeof customer === 'string' && customer ? { key: `${channel}:${accountId}:${customer}` } : {};
}
