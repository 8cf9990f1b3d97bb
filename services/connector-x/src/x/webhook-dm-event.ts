import type { Attachment } from '@kanal/contracts';
import { X_DEAD_LETTER_CODES } from '../errors';
import { mediaKind, toMessageEvent, toReadStatusEvent, type XUser } from './build-x-message';
import { isMediaPageUrl, withoutMediaLink } from './media-link';
import type { RejectedItem, XInboundEvent } from './normalized-batch';
import { oneToOneConversationId, rawId } from './x-ids';
import { fromEpochMillis } from './x-time';
import {
  webhookDmEventSchema,
  webhookEventHeadSchema,
  webhookReadEventSchema,
  type WebhookDmEvent,
} from './x-payload-schemas';

export interface WebhookItemContext {
  accountId: string;
  receivedAt: string;
  users: ReadonlyMap<string, XUser>;
}

export type ItemOutcome =
  | { kind: 'event'; event: XInboundEvent }
  | { kind: 'skip'; reason: string; item: string }
  | { kind: 'reject'; rejected: Omit<RejectedItem, 'payload'> };

const reject = (r: Omit<RejectedItem, 'payload'>): ItemOutcome => ({ kind: 'reject', rejected: r });
const firstIssue = (error: { issues: Array<{ path: PropertyKey[]; message: string }> }) => {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message}`;
};

/**
 * One `direct_message_events[]` item (v1.1 shape, no `dm_conversation_id`): the one-to-one id X
 * uses in v2 is rebuilt from the two participants, so polled and pushed copies of a DM land on the
 * same conversation and get the same event id.
 */
export function mapWebhookDm(raw: unknown, where: string, ctx: WebhookItemContext): ItemOutcome {
  const head = webhookEventHeadSchema.safeParse(raw);
  if (!head.success)
    return reject({
      code: X_DEAD_LETTER_CODES.invalidEvent,
      message: `not a DM event: ${firstIssue(head.error)}`,
      item: where,
    });
  const item = `${where} id ${rawId(head.data.id)}`.slice(0, 256);
  if (head.data.type !== 'message_create') {
    return reject({
      code: X_DEAD_LETTER_CODES.unknownEventType,
      message: `DM event type "${head.data.type.slice(0, 64)}" is not mapped by connector-x`,
      item,
    });
  }
  const parsed = webhookDmEventSchema.safeParse(raw);
  if (!parsed.success)
    return reject({
      code: X_DEAD_LETTER_CODES.invalidEvent,
      message: `message_create: ${firstIssue(parsed.error)}`,
      item,
    });
  const e = parsed.data;
  const { sender_id: sender, target } = e.message_create;
  const recipient = target?.recipient_id;
  if (sender === undefined || recipient === undefined) {
    return reject({
      code: X_DEAD_LETTER_CODES.missingField,
      message: `message_create without ${sender === undefined ? 'sender_id' : 'target.recipient_id'}`,
      item,
    });
  }
  const senderId = rawId(sender);
  const recipientId = rawId(recipient);
  const conversationId = oneToOneConversationId(senderId, recipientId);
  const data = e.message_create.message_data;
  const { text, attachments } = contentOf(e);
  const quick = data?.quick_reply_response;
  const result = toMessageEvent(
    {
      accountId: ctx.accountId,
      id: rawId(e.id),
      senderId,
      recipientId,
      conversationId,
      createdAt: fromEpochMillis(e.created_timestamp, ctx.receivedAt),
      text,
      attachments,
      // A tapped quick-reply option: its metadata is the id the sender of the options chose.
      ...(quick
        ? {
            interactive: {
              id: (quick.metadata ?? text ?? '').slice(0, 1_024),
              ...(text ? { title: text.slice(0, 1_024) } : {}),
            },
          }
        : {}),
      users: ctx.users,
    },
    ctx.receivedAt,
  );
  if (result.ok) return { kind: 'event', event: result.event };
  return reject({ code: result.code ?? X_DEAD_LETTER_CODES.invalidMessage, message: result.detail, item });
}

/**
 * One `direct_message_mark_read_events[]` item. A customer's receipt is a `read` status of our
 * message; our own account reading theirs is ours to know, not a customer event.
 */
export function mapWebhookRead(raw: unknown, where: string, ctx: WebhookItemContext): ItemOutcome {
  const parsed = webhookReadEventSchema.safeParse(raw);
  if (!parsed.success)
    return reject({
      code: X_DEAD_LETTER_CODES.invalidEvent,
      message: `read receipt: ${firstIssue(parsed.error)}`,
      item: where,
    });
  const r = parsed.data;
  const item = `${where} read ${r.last_read_event_id}`.slice(0, 256);
  const readerId = rawId(r.sender_id);
  if (readerId === ctx.accountId) return { kind: 'skip', reason: 'own-read-receipt', item };
  const conversationId = oneToOneConversationId(readerId, rawId(r.target.recipient_id));
  const result = toReadStatusEvent(
    {
      accountId: ctx.accountId,
      readerId,
      lastReadEventId: r.last_read_event_id,
      conversationId,
      createdAt: fromEpochMillis(r.created_timestamp, ctx.receivedAt),
      users: ctx.users,
    },
    ctx.receivedAt,
  );
  if (result.ok) return { kind: 'event', event: result.event };
  return reject({ code: result.code ?? X_DEAD_LETTER_CODES.invalidMessage, message: result.detail, item });
}

function contentOf(e: WebhookDmEvent): { text?: string; attachments: Attachment[] } {
  const data = e.message_create.message_data;
  const attachments: Attachment[] = [];
  let text = data?.text;
  const attachment = data?.attachment;
  const media = attachment?.type === 'media' ? attachment.media : undefined;
  if (media) {
    attachments.push({
      kind: mediaKind(media.type),
      ...(media.id_str ? { providerMediaId: media.id_str } : {}),
      ...(media.media_url_https ? { url: media.media_url_https } : {}),
    });
    text = withoutMediaLink(text, media.url);
  } else if (attachment) {
    attachments.push({ kind: 'unsupported' });
  }
  for (const u of data?.entities?.urls ?? []) {
    const isMediaLink =
      media && (u.url === media.url || (u.expanded_url !== undefined && u.expanded_url === media.expanded_url));
    if (isMediaLink) continue;
    if (media && isMediaPageUrl(u.expanded_url)) {
      text = withoutMediaLink(text, u.url);
      continue;
    }
    attachments.push({ kind: 'share', url: (u.expanded_url ?? u.url).slice(0, 4_096) });
  }
  return { text, attachments };
}
