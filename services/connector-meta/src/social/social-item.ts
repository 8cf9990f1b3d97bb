import { IdentityError, normalizeIdentityValue, type Identity } from '@kanal/contracts';
import { isObject } from '../normalize/item-payload';
import { META_CODES, SKIP_REASONS, type SkipReason } from '../normalize/meta-codes';
import { compact, ItemFailure, type ItemSink } from '../normalize/normalized-batch';
import { providerTime } from '../normalize/provider-time';
import { mapMessage, mapPostback } from './social-message';
import { socialEventSchema } from './social-payload';
import type { SocialItem } from './social-parties';
import { mapDeleted, mapEdit, mapReaction, mapReceipt } from './social-state';

export type SocialChannel = 'instagram' | 'messenger';

const PROVIDER = { instagram: 'meta-instagram', messenger: 'meta-messenger' } as const;

/**
 * Messaging items that are by design not messages. They are told apart before the item is parsed:
 * some have no sender id (policy notices, checkbox-plugin opt-ins, chat-plugin referrals).
 */
const SKIPPED_KINDS: ReadonlyArray<[string, SkipReason]> = [
  ['optin', SKIP_REASONS.optin],
  ['referral', SKIP_REASONS.referral],
  ['pass_thread_control', SKIP_REASONS.handover],
  ['take_thread_control', SKIP_REASONS.handover],
  ['request_thread_control', SKIP_REASONS.handover],
  ['app_roles', SKIP_REASONS.handover],
  ['policy-enforcement', SKIP_REASONS.policyEnforcement],
  ['policy_enforcement', SKIP_REASONS.policyEnforcement],
  ['account_linking', SKIP_REASONS.accountLinking],
  ['game_play', SKIP_REASONS.gamePlay],
];

const MAPPED_KINDS = ['message', 'reaction', 'message_edit', 'read', 'delivery', 'postback'] as const;

export interface SocialItemContext {
  channel: SocialChannel;
  /** The entry's id: the IG account or the Page the item belongs to. */
  accountId: string;
  /** A `standby[]` item (handover protocol): a thread another app owns. */
  standby: boolean;
  receivedAt: string;
}

/**
 * One `messaging`/`standby` item → its events. Echoes are our own sends: the customer is the
 * recipient, and the key must be theirs. IGSIDs/PSIDs are scoped to the account, so identities
 * carry it; an id that does not make a valid identity is left out (flagged), the item is kept.
 */
export function mapSocialItem(sink: ItemSink, ctx: SocialItemContext, raw: unknown): SkipReason | void {
  // A referral inside a message or a postback is kept with it; only what stands alone is skipped.
  if (isObject(raw) && !MAPPED_KINDS.some((kind) => raw[kind] !== undefined)) {
    const skipped = SKIPPED_KINDS.find(([kind]) => raw[kind] !== undefined);
    if (skipped) return skipped[1];
  }
  const parsed = socialEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ItemFailure(
      META_CODES.invalidItem,
      `messaging item: ${issue?.path.join('.') || '(item)'} ${issue?.message}`,
    );
  }
  const e = parsed.data;
  const { channel, accountId } = ctx;
  const echo = e.message?.is_echo === true || e.sender.id === accountId;
  const customerId = echo ? e.recipient.id : e.sender.id;
  const customer = scoped(channel, accountId, customerId);
  const business = scoped(channel, accountId, accountId);
  const time = providerTime(e.timestamp, 'millis', ctx.receivedAt);
  const flags = compact({
    standby: ctx.standby,
    dateFallback: time.fallback,
    identityFallback: customer.fallback || business.fallback,
  });
  const item: SocialItem = {
    event: e,
    echo,
    customer: { identities: customer.identities },
    business: { identities: business.identities },
    common: {
      channel,
      provider: PROVIDER[channel],
      accountId,
      direction: echo ? 'outbound' : 'inbound',
      conversationRef: customerId,
      occurredAt: time.at,
      receivedAt: ctx.receivedAt,
    },
    flags: flags ?? {},
  };

  if (e.message?.is_deleted) return mapDeleted(sink, item, e.message.mid);
  if (e.message) return mapMessage(sink, item, e.message);
  if (e.reaction) return mapReaction(sink, item, e.reaction);
  if (e.message_edit) return mapEdit(sink, item, e.message_edit);
  if (e.read) return mapReceipt(sink, item, 'read', e.read.mid ? [e.read.mid] : [], e.read.watermark);
  if (e.delivery) return mapReceipt(sink, item, 'delivered', e.delivery.mids ?? [], e.delivery.watermark);
  if (e.postback) return mapPostback(sink, item, e.postback);
  const kinds = Object.keys(raw as object).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
  throw new ItemFailure(
    META_CODES.unsupportedEvent,
    `messaging item of kind ${kinds.join(',').slice(0, 100) || '(none)'} is not mapped`,
  );
}

function scoped(channel: SocialChannel, accountId: string, id: string): { identities: Identity[]; fallback: boolean } {
  try {
    return {
      identities: [{ type: channel, value: normalizeIdentityValue(channel, `${accountId}:${id}`) }],
      fallback: false,
    };
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    return { identities: [], fallback: true };
  }
}
