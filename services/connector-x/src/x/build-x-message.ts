import {
  buildInboundEvent,
  describeIssues,
  messageDataSchema,
  type Attachment,
  type KanalEvent,
  type Party,
} from '@kanal/contracts';

export const X_SOURCE = 'kanal/connector-x';

/** What both X payload shapes (v2 dm_events and v1.1 webhook events) reduce to before mapping. */
export interface XMessage {
  accountId: string;
  id: string;
  senderId: string;
  /** Set for one-to-one conversations; group conversations have no single recipient. */
  recipientId?: string;
  conversationId: string;
  createdAt: string;
  text?: string;
  attachments: Attachment[];
  users: ReadonlyMap<string, XUser>;
}

export interface XUser {
  name?: string;
  username?: string;
}

export type XMessageEvent = KanalEvent<'kanal.message.received.v1'> | KanalEvent<'kanal.message.sent.v1'>;

export type MapResult = { ok: true; event: XMessageEvent } | { ok: false; reason: string; detail: string };

const ONE_TO_ONE = /^(\d+)-(\d+)$/;

/** X names a one-to-one conversation `{smaller_id}-{larger_id}` (numeric order, not string order). */
export function oneToOneConversationId(a: string, b: string): string {
  return BigInt(a) <= BigInt(b) ? `${a}-${b}` : `${b}-${a}`;
}

/** The other participant of a one-to-one conversation id, or undefined for a group. */
export function otherParticipant(conversationId: string, senderId: string): string | undefined {
  const m = ONE_TO_ONE.exec(conversationId);
  if (!m) return undefined;
  return m[1] === senderId ? m[2] : m[1];
}

/** Snowflake ids compare numerically; string compare breaks when lengths differ. */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function party(id: string, user: XUser | undefined): Party {
  return {
    ...(user?.name ? { displayName: user.name.slice(0, 256) } : {}),
    ...(user?.username ? { username: `@${user.username}`.slice(0, 256) } : {}),
    identities: [{ type: 'x', value: id }],
  };
}

/**
 * One DM → `kanal.message.received.v1`, or `kanal.message.sent.v1` when our account wrote it
 * (X echoes our own sends). The data is checked against the contract here, so a bad item is
 * dropped with a reason instead of failing the whole page at publish time.
 */
export function toMessageEvent(m: XMessage, receivedAt: string): MapResult {
  const outbound = m.senderId === m.accountId;
  const group = !ONE_TO_ONE.test(m.conversationId);
  const candidate = {
    channel: 'x',
    provider: 'x-dm',
    accountId: m.accountId,
    direction: outbound ? 'outbound' : 'inbound',
    externalId: m.id,
    conversationRef: m.conversationId,
    occurredAt: m.createdAt,
    receivedAt,
    sender: party(m.senderId, m.users.get(m.senderId)),
    ...(m.recipientId ? { recipient: party(m.recipientId, m.users.get(m.recipientId)) } : {}),
    ...(m.text ? { text: m.text } : {}),
    attachments: m.attachments,
    ...(group ? { group: { id: m.conversationId }, flags: { group: true } } : {}),
  };
  const parsed = messageDataSchema.safeParse(candidate);
  if (!parsed.success)
    return { ok: false, reason: 'invalid-message', detail: describeIssues(parsed.error.issues, 'data') };
  const event = outbound
    ? buildInboundEvent('kanal.message.sent.v1', parsed.data, { source: X_SOURCE })
    : buildInboundEvent('kanal.message.received.v1', parsed.data, { source: X_SOURCE });
  return { ok: true, event };
}

/** X media types → contract attachment kinds (GIFs are delivered as MP4 video). */
export function mediaKind(type: string | undefined): Attachment['kind'] {
  if (type === 'photo') return 'image';
  if (type === 'video' || type === 'animated_gif') return 'video';
  return 'other';
}
