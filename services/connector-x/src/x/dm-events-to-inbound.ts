import type { Attachment } from '@kanal/contracts';
import { X_DEAD_LETTER_CODES } from '../errors';
import { mediaKind, toMessageEvent, type XUser } from './build-x-message';
import { isMediaPageUrl, withoutMediaLink } from './media-link';
import { minimalPage } from './minimal-payload';
import { emptyBatch, type NormalizedBatch, type RejectedItem } from './normalized-batch';
import { otherParticipant, rawId } from './x-ids';
import { fromCreatedAt } from './x-time';
import {
  dmEventHeadSchema,
  mediaV2Schema,
  messageCreateV2Schema,
  partialErrorSchema,
  tweetV2Schema,
  userV2Schema,
  type DmEventsPage,
  type MessageCreateV2,
} from './x-payload-schemas';

export interface PageContext {
  /** Our X user id: the participant whose messages are outbound echoes. */
  accountId: string;
  receivedAt: string;
}

interface Includes {
  users: ReadonlyMap<string, XUser>;
  media: ReadonlyMap<string, { type?: string; url?: string; preview_image_url?: string }>;
  tweets: ReadonlyMap<string, { text?: string; author_id?: string }>;
}

/** Joins and leaves change a group's members; they are not messages. */
const SKIPPED_TYPES: Record<string, string> = {
  ParticipantsJoin: 'participants-join',
  ParticipantsLeave: 'participants-leave',
};

const STATUS_URL = /\/status(?:es)?\/(\d+)/;

/** A `GET /2/dm_events` page → canonical events, newest first as X sent them. */
export function dmEventsPageToInbound(page: DmEventsPage, ctx: PageContext): NormalizedBatch {
  const inc = includesOf(page);
  const out = emptyBatch(ctx.accountId);
  for (const e of page.errors ?? []) {
    const parsed = partialErrorSchema.safeParse(e);
    out.partialErrors.push(parsed.success ? { type: parsed.data.type, title: parsed.data.title } : {});
  }
  const reject = (raw: unknown, r: Omit<RejectedItem, 'payload'>) => {
    // Keyed like its conversation when it names one, so the letter sits beside that conversation.
    const conversation = (raw as { dm_conversation_id?: unknown } | null)?.dm_conversation_id;
    const key =
      typeof conversation === 'string' && conversation.trim() ? `x:${ctx.accountId}:${conversation.trim()}` : undefined;
    out.rejected.push({ ...(key ? { key } : {}), ...r, payload: minimalPage(raw, page.includes) });
  };

  (page.data ?? []).forEach((raw, index) => {
    const head = dmEventHeadSchema.safeParse(raw);
    if (!head.success) {
      const issue = head.error.issues[0];
      return void reject(raw, {
        code: X_DEAD_LETTER_CODES.invalidEvent,
        message: `not a dm_event: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
        item: `data[${index}]`,
      });
    }
    const { id, event_type: type } = head.data;
    const item = `data[${index}] id ${id}`.slice(0, 256);
    const skipReason = SKIPPED_TYPES[type];
    if (skipReason) return void out.skipped.push({ reason: skipReason, item });
    if (type !== 'MessageCreate') {
      // MessageDelete and whatever X adds next: kept whole until a mapper knows them.
      return void reject(raw, {
        code: X_DEAD_LETTER_CODES.unknownEventType,
        message: `event_type "${type.slice(0, 64)}" is not mapped by connector-x`,
        item,
      });
    }
    const parsed = messageCreateV2Schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return void reject(raw, {
        code: X_DEAD_LETTER_CODES.invalidEvent,
        message: `MessageCreate: ${issue?.path.join('.')}: ${issue?.message}`,
        item,
      });
    }
    const e = parsed.data;
    const conversationId = e.dm_conversation_id?.trim();
    if (e.sender_id === undefined || !conversationId) {
      return void reject(raw, {
        code: X_DEAD_LETTER_CODES.missingField,
        message: `MessageCreate without ${e.sender_id === undefined ? 'sender_id' : 'dm_conversation_id'}`,
        item,
      });
    }
    const senderId = rawId(e.sender_id);
    const outbound = senderId === ctx.accountId;
    const { text, attachments } = contentOf(e, inc);
    const result = toMessageEvent(
      {
        accountId: ctx.accountId,
        id,
        senderId,
        // Inbound DMs are addressed to us (group ones too); our own reach the other participant.
        recipientId: outbound ? otherParticipant(conversationId, ctx.accountId) : ctx.accountId,
        conversationId,
        createdAt: fromCreatedAt(e.created_at, ctx.receivedAt),
        text,
        attachments,
        users: inc.users,
      },
      ctx.receivedAt,
    );
    if (result.ok) out.events.push(result.event);
    else
      reject(raw, {
        code: result.code ?? X_DEAD_LETTER_CODES.invalidMessage,
        message: result.detail,
        item,
      });
  });
  return out;
}

/** `includes` entries one by one: a malformed user or media entry costs only its own details. */
function includesOf(page: DmEventsPage): Includes {
  const valid = <T>(items: unknown[] | undefined, schema: { safeParse(v: unknown): { success: boolean; data?: T } }) =>
    (items ?? []).flatMap((i) => {
      const r = schema.safeParse(i);
      return r.success ? [r.data as T] : [];
    });
  const users = valid<{ id: string; name?: string; username?: string }>(page.includes?.users, userV2Schema);
  const media = valid<{ media_key: string; type?: string; url?: string }>(page.includes?.media, mediaV2Schema);
  const tweets = valid<{ id: string; text?: string; author_id?: string }>(page.includes?.tweets, tweetV2Schema);
  return {
    users: new Map(users.map((u) => [u.id, { name: u.name, username: u.username }])),
    media: new Map(media.map((m) => [m.media_key, m])),
    tweets: new Map(tweets.map((t) => [t.id, t])),
  };
}

function contentOf(e: MessageCreateV2, inc: Includes): { text?: string; attachments: Attachment[] } {
  const attachments: Attachment[] = [];
  const mediaKeys = e.attachments?.media_keys ?? [];
  for (const key of mediaKeys) {
    const m = inc.media.get(key);
    const url = m?.url ?? m?.preview_image_url;
    attachments.push({ kind: mediaKind(m?.type), providerMediaId: key.slice(0, 1_024), ...(url ? { url } : {}) });
  }
  const shared = new Set<string>();
  for (const ref of e.referenced_tweets ?? []) {
    shared.add(ref.id);
    const tweet = inc.tweets.get(ref.id);
    const author = tweet?.author_id ? inc.users.get(tweet.author_id)?.username : undefined;
    attachments.push({
      kind: 'share',
      url: author ? `https://x.com/${author}/status/${ref.id}` : `https://x.com/i/web/status/${ref.id}`,
      ...(tweet?.text ? { caption: tweet.text.slice(0, 10_000) } : {}),
    });
  }
  let text = e.text;
  for (const u of e.entities?.urls ?? []) {
    const target = u.expanded_url ?? u.url;
    if (mediaKeys.length > 0 && isMediaPageUrl(u.expanded_url)) {
      text = withoutMediaLink(text, u.url);
      continue;
    }
    const statusId = STATUS_URL.exec(target)?.[1];
    if (statusId && shared.has(statusId)) continue;
    attachments.push({ kind: 'share', url: target.slice(0, 4_096) });
  }
  return { text, attachments };
}
