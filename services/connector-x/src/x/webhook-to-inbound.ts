import { X_DEAD_LETTER_CODES } from '../errors';
import { type XUser } from './build-x-message';
import { minimalWebhookBody, webhookRefs } from './minimal-payload';
import { emptyBatch, type NormalizedBatch, type RejectedItem } from './normalized-batch';
import { oneToOneConversationId } from './x-ids';
import { mapWebhookDm, mapWebhookRead } from './webhook-dm-event';
import { webhookUserSchema, type WebhookBody } from './x-payload-schemas';

/** Keys of an Account Activity body that describe the delivery, not an activity. */
const ENVELOPE_KEYS = new Set(['for_user_id', 'users', 'apps', 'user_has_blocked', 'is_blocked_by']);

/**
 * Account Activity deliveries that are by design not messages, and the reason they are counted
 * under. Our own account's posts, likes and follows arrive here too.
 */
const SKIPPED_KEYS: Record<string, string> = {
  direct_message_indicate_typing_events: 'typing-indicator',
  tweet_create_events: 'tweet',
  tweet_delete_events: 'tweet-delete',
  favorite_events: 'favorite',
  follow_events: 'follow',
  unfollow_events: 'unfollow',
  block_events: 'block',
  unblock_events: 'unblock',
  mute_events: 'mute',
  unmute_events: 'unmute',
  user_event: 'authorization-revoked',
};

export interface WebhookContext {
  receivedAt: string;
}

/**
 * An Account Activity webhook body → canonical events. Every activity key is accounted for: DMs
 * and read receipts are mapped, the known non-message activities are counted skips, and a key
 * nobody knows yet becomes a dead letter holding it.
 */
export function webhookBodyToInbound(body: WebhookBody, ctx: WebhookContext): NormalizedBatch {
  const accountId = body.for_user_id;
  const out = emptyBatch(accountId);
  const users = usersOf(body);
  const reject = (key: string, value: unknown, r: Omit<RejectedItem, 'payload'>) => {
    const refs = webhookRefs(value);
    // Keyed like its conversation when both participants are named.
    const [a, b] = refs.users;
    const conversation = a && b ? { key: `x:${accountId}:${oneToOneConversationId(a, b)}` } : {};
    // An item whose shape is unknown may name its users anywhere: it keeps them all.
    const keep = refs.users.length > 0 ? refs : 'all';
    out.rejected.push({ ...conversation, ...r, payload: minimalWebhookBody(body, key, [value], keep) });
  };
  const mapCtx = { accountId, receivedAt: ctx.receivedAt, users };

  for (const [key, value] of Object.entries(body)) {
    if (ENVELOPE_KEYS.has(key)) continue;
    if (key === 'direct_message_events' || key === 'direct_message_mark_read_events') {
      const map = key === 'direct_message_events' ? mapWebhookDm : mapWebhookRead;
      (value as unknown[]).forEach((raw, index) => {
        const result = map(raw, `${key}[${index}]`, mapCtx);
        if (result.kind === 'event') out.events.push(result.event);
        else if (result.kind === 'skip') out.skipped.push({ reason: result.reason, item: result.item });
        else reject(key, raw, result.rejected);
      });
      continue;
    }
    const reason = SKIPPED_KEYS[key];
    if (reason) {
      const count = Array.isArray(value) ? value.length : 1;
      for (let i = 0; i < count; i++) out.skipped.push({ reason, item: Array.isArray(value) ? `${key}[${i}]` : key });
      continue;
    }
    out.rejected.push({
      code: X_DEAD_LETTER_CODES.unknownEventType,
      message: `Account Activity key "${key.slice(0, 64)}" is not mapped by connector-x`,
      item: key.slice(0, 256),
      payload: minimalWebhookBody(body, key, value, 'all'),
    });
  }
  return out;
}

/** `users` entries one by one: a malformed entry costs only that user's name. */
function usersOf(body: WebhookBody): Map<string, XUser> {
  const users = new Map<string, XUser>();
  for (const [id, raw] of Object.entries(body.users ?? {})) {
    const u = webhookUserSchema.safeParse(raw);
    if (u.success) users.set(id, { name: u.data.name, username: u.data.screen_name });
  }
  return users;
}
