import {
  buildInboundEvent,
  describeIssues,
  messageDataSchema,
  messageStatusDataSchema,
  toStorableInbound,
  type Attachment,
  type Flags,
  type Party,
} from '@kanal/contracts';
import { notStorableCode, type XDeadLetterCode } from '../errors';
import type { XInboundEvent } from './normalized-batch';
import { isOneToOne, xUserId } from './x-ids';
import type { XTime } from './x-time';

export const X_SOURCE = 'kanal/connector-x';

/** What both X payload shapes (v2 dm_events and v1.1 webhook events) reduce to before mapping. */
export interface XMessage {
  accountId: string;
  id: string;
  /** As X gave it; it becomes the `x` identity when it is a numeric id. */
  senderId: string;
  /** Set for one-to-one conversations and for inbound group messages (our account). */
  recipientId?: string;
  conversationId: string;
  createdAt: XTime;
  text?: string;
  attachments: Attachment[];
  interactive?: { id: string; title?: string };
  users: ReadonlyMap<string, XUser>;
}

export interface XUser {
  name?: string;
  username?: string;
}

/** A failed mapping names its dead-letter code when it is not a plain contract mismatch (`X.INVALID_MESSAGE`). */
export type MapResult = { ok: true; event: XInboundEvent } | { ok: false; detail: string; code?: XDeadLetterCode };

/**
 * The step every connector runs before the contract check (toStorableInbound): X has already
 * delivered the DM, so texts are repaired and cut, an unusable time falls back to the receive
 * time, all flagged; only an item without a storable id or sender is refused, to be dead-lettered.
 */
function storable<T extends object>(
  candidate: T,
  receivedAt: string,
): { data: T } | { failed: Extract<MapResult, { ok: false }> } {
  const result = toStorableInbound(candidate, { receivedAt });
  if (result.ok) return { data: result.data };
  return { failed: { ok: false, detail: result.message, code: notStorableCode(result.refusal) } };
}

/** One side of a DM. An id that is not a numeric X id is left out (flagged), the rest is kept. */
function party(id: string, users: ReadonlyMap<string, XUser>, flags: Flags): Party {
  const user = users.get(id);
  const identity = xUserId(id);
  if (!identity) flags.identityFallback = true;
  return {
    ...(user?.name?.trim() ? { displayName: user.name.slice(0, 256) } : {}),
    ...(user?.username?.trim() ? { username: `@${user.username}`.slice(0, 256) } : {}),
    identities: identity ? [{ type: 'x', value: identity }] : [],
  };
}

/**
 * One DM → `kanal.message.received.v1`, or `kanal.message.sent.v1` when our account wrote it
 * (X echoes our own sends). The data is checked against the contract here, so a bad item becomes
 * a dead letter on its own instead of failing the whole page at publish time.
 */
export function toMessageEvent(m: XMessage, receivedAt: string): MapResult {
  const outbound = m.senderId === m.accountId;
  const group = !isOneToOne(m.conversationId);
  const flags: Flags = {};
  if (group) flags.group = true;
  if (m.createdAt.fallback) flags.dateFallback = true;
  const attachments = [...m.attachments];
  if (!m.text && attachments.length === 0) {
    // X sends DMs it cannot represent (voice notes, some cards) without text or media.
    attachments.push({ kind: 'unsupported' });
  }
  if (attachments.some((a) => a.kind === 'unsupported')) flags.unsupported = true;
  const candidate = {
    channel: 'x',
    provider: 'x-dm',
    accountId: m.accountId,
    direction: outbound ? 'outbound' : 'inbound',
    externalId: m.id,
    conversationRef: m.conversationId,
    occurredAt: m.createdAt.iso,
    receivedAt,
    sender: party(m.senderId, m.users, flags),
    ...(m.recipientId ? { recipient: party(m.recipientId, m.users, flags) } : {}),
    ...(m.text ? { text: m.text } : {}),
    attachments,
    ...(m.interactive ? { interactive: m.interactive } : {}),
    ...(group ? { group: { id: m.conversationId } } : {}),
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
  };
  const kept = storable(candidate, receivedAt);
  if ('failed' in kept) return kept.failed;
  const parsed = messageDataSchema.safeParse(kept.data);
  if (!parsed.success) return { ok: false, detail: describeIssues(parsed.error.issues, 'data') };
  const event = outbound
    ? buildInboundEvent('kanal.message.sent.v1', parsed.data, { source: X_SOURCE })
    : buildInboundEvent('kanal.message.received.v1', parsed.data, { source: X_SOURCE });
  return { ok: true, event };
}

export interface XReadReceipt {
  accountId: string;
  /** Who read: the customer. */
  readerId: string;
  /** The newest of our messages they have read (everything before it is read too). */
  lastReadEventId: string;
  conversationId: string;
  createdAt: XTime;
  users: ReadonlyMap<string, XUser>;
}

/**
 * A customer's read receipt → `kanal.message.status.v1` `read` on our message, like WhatsApp and
 * Messenger read statuses. Its id is the message's plus `:read`, so a repeated receipt is one event.
 */
export function toReadStatusEvent(r: XReadReceipt, receivedAt: string): MapResult {
  const flags: Flags = {};
  if (r.createdAt.fallback) flags.dateFallback = true;
  const candidate = {
    channel: 'x',
    provider: 'x-dm',
    accountId: r.accountId,
    direction: 'outbound',
    externalId: r.lastReadEventId,
    target: { externalId: r.lastReadEventId },
    conversationRef: r.conversationId,
    occurredAt: r.createdAt.iso,
    receivedAt,
    sender: party(r.accountId, r.users, flags),
    recipient: party(r.readerId, r.users, flags),
    status: 'read',
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
  };
  const kept = storable(candidate, receivedAt);
  if ('failed' in kept) return kept.failed;
  const parsed = messageStatusDataSchema.safeParse(kept.data);
  if (!parsed.success) return { ok: false, detail: describeIssues(parsed.error.issues, 'data') };
  return {
    ok: true,
    event: buildInboundEvent('kanal.message.status.v1', parsed.data, { source: X_SOURCE, idSuffix: 'read' }),
  };
}

/** X media types → contract attachment kinds (GIFs are delivered as MP4 video). */
export function mediaKind(type: string | undefined): Attachment['kind'] {
  if (type === 'photo') return 'image';
  if (type === 'video' || type === 'animated_gif') return 'video';
  return 'other';
}
