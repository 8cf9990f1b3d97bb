import type { Attachment } from '@kanal/contracts';
import { mediaKind, otherParticipant, toMessageEvent, type XMessageEvent, type XUser } from './build-x-message';
import { dmEventV2Schema, type DmEventsPage, type DmEventV2 } from './x-payload-schemas';

export interface DroppedItem {
  reason: string;
  externalId?: string;
  detail?: string;
}

export interface NormalizedBatch {
  events: XMessageEvent[];
  dropped: DroppedItem[];
  /** Partial errors X returned beside good data (HTTP 200 with `errors`), as `type`/`title` only. */
  partialErrors: Array<{ type?: string; title?: string }>;
}

export interface PageContext {
  /** Our X user id: the participant whose messages are outbound echoes. */
  accountId: string;
  receivedAt: string;
}

const STATUS_URL = /\/status(?:es)?\/(\d+)/;
// X appends a t.co link to the media it carries (…/photo/1, …/video/1); the media is already an attachment.
const MEDIA_URL = /\/(?:photo|video)\/\d+$/;

/** A `GET /2/dm_events` page → canonical events, newest first as X sent them. */
export function dmEventsPageToInbound(page: DmEventsPage, ctx: PageContext): NormalizedBatch {
  const users = new Map<string, XUser>(
    (page.includes?.users ?? []).map((u) => [u.id, { name: u.name, username: u.username }]),
  );
  const media = new Map((page.includes?.media ?? []).map((m) => [m.media_key, m]));
  const tweets = new Map((page.includes?.tweets ?? []).map((t) => [t.id, t]));
  const out: NormalizedBatch = {
    events: [],
    dropped: [],
    partialErrors: (page.errors ?? []).map((e) => ({ type: e.type, title: e.title })),
  };

  for (const raw of page.data ?? []) {
    const parsed = dmEventV2Schema.safeParse(raw);
    if (!parsed.success) {
      out.dropped.push({ reason: 'invalid-event', detail: parsed.error.issues[0]?.message });
      continue;
    }
    const e = parsed.data;
    if (e.event_type === 'ParticipantsJoin' || e.event_type === 'ParticipantsLeave') {
      out.dropped.push({ reason: 'participants-event', externalId: e.id });
      continue;
    }
    if (e.event_type !== 'MessageCreate') {
      out.dropped.push({ reason: 'unsupported-event-type', externalId: e.id, detail: e.event_type });
      continue;
    }
    if (!e.sender_id || !e.dm_conversation_id || !e.created_at) {
      out.dropped.push({
        reason: 'missing-field',
        externalId: e.id,
        detail: 'sender_id, dm_conversation_id and created_at are required',
      });
      continue;
    }
    const inbound = e.sender_id !== ctx.accountId;
    const result = toMessageEvent(
      {
        accountId: ctx.accountId,
        id: e.id,
        senderId: e.sender_id,
        recipientId: otherParticipant(e.dm_conversation_id, e.sender_id) ?? (inbound ? ctx.accountId : undefined),
        conversationId: e.dm_conversation_id,
        createdAt: e.created_at,
        text: e.text,
        attachments: attachmentsOf(e, { users, media, tweets }),
        users,
      },
      ctx.receivedAt,
    );
    if (result.ok) out.events.push(result.event);
    else out.dropped.push({ reason: result.reason, externalId: e.id, detail: result.detail });
  }
  return out;
}

interface Includes {
  users: ReadonlyMap<string, XUser>;
  media: ReadonlyMap<string, { type?: string; url?: string; preview_image_url?: string }>;
  tweets: ReadonlyMap<string, { text?: string; author_id?: string }>;
}

function attachmentsOf(e: DmEventV2, inc: Includes): Attachment[] {
  const attachments: Attachment[] = [];
  const mediaKeys = e.attachments?.media_keys ?? [];
  for (const key of mediaKeys) {
    const m = inc.media.get(key);
    const url = m?.url ?? m?.preview_image_url;
    attachments.push({ kind: mediaKind(m?.type), providerMediaId: key, ...(url ? { url } : {}) });
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
  for (const u of e.entities?.urls ?? []) {
    const target = u.expanded_url ?? u.url;
    const statusId = STATUS_URL.exec(target)?.[1];
    if (statusId && shared.has(statusId)) continue;
    if (mediaKeys.length > 0 && MEDIA_URL.test(target)) continue;
    attachments.push({ kind: 'share', url: target.slice(0, 4_096) });
  }
  return attachments;
}
