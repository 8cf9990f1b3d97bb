import { addEvent, emptyBatch, isoFromMillis, type NormalizedBatch } from '../normalize/normalized-batch';
import { isFetched, toAttachment } from './social-attachments';
import { socialBodySchema, socialEventSchema, type SocialEvent } from './social-payload';

export type SocialChannel = 'instagram' | 'messenger';

const PROVIDER = { instagram: 'meta-instagram', messenger: 'meta-messenger' } as const;
const OBJECT = { instagram: 'instagram', messenger: 'page' } as const;

export interface SocialContext {
  receivedAt: string;
}

/**
 * Instagram / Messenger webhook body → inbound events. Every entry and every `messaging` and
 * `standby` item is visited; IGSIDs/PSIDs are scoped to the account, so identities carry it.
 */
export function toSocialEvents(channel: SocialChannel, body: unknown, ctx: SocialContext): NormalizedBatch {
  const batch = emptyBatch();
  const envelope = socialBodySchema.parse(body);
  if (envelope.object !== OBJECT[channel]) throw new SocialObjectError(channel, envelope.object);
  for (const entry of envelope.entry) {
    const items = [
      ...(entry.messaging ?? []).map((raw) => ({ raw, standby: false })),
      ...(entry.standby ?? []).map((raw) => ({ raw, standby: true })),
    ];
    for (const { raw, standby } of items) {
      const parsed = socialEventSchema.safeParse(raw);
      if (parsed.success) mapEvent(batch, channel, entry.id, parsed.data, standby, ctx);
      else batch.dropped.push({ reason: 'invalid-item', accountId: entry.id, detail: 'messaging item without sender/recipient' });
    }
  }
  return batch;
}

export class SocialObjectError extends Error {
  readonly code = 'META.WRONG_OBJECT';
  constructor(channel: SocialChannel, object: string) {
    super(`object "${object}" does not belong to the ${channel} webhook`);
  }
}

function mapEvent(batch: NormalizedBatch, channel: SocialChannel, accountId: string, e: SocialEvent, standby: boolean, ctx: SocialContext) {
  // Echoes are our own sends: the customer is the recipient, and the key must be theirs.
  const echo = e.message?.is_echo === true || e.sender.id === accountId;
  const customerId = echo ? e.recipient.id : e.sender.id;
  const customer = { identities: [{ type: channel, value: `${accountId}:${customerId}` }] };
  const flags = standby ? { standby: true } : undefined;
  const common = {
    channel,
    provider: PROVIDER[channel],
    accountId,
    direction: echo ? 'outbound' : 'inbound',
    conversationRef: customerId,
    occurredAt: isoFromMillis(e.timestamp, ctx.receivedAt),
    receivedAt: ctx.receivedAt,
    flags,
  };
  const party = echo ? { sender: { identities: [] }, recipient: customer } : { sender: customer };
  const state = (mid: string) => ({ ...common, ...party, externalId: mid, target: { externalId: mid } });

  if (e.message?.is_deleted) return void addEvent(batch, 'kanal.message.deleted.v1', state(e.message.mid), 'deleted');
  if (e.message) return mapMessage(batch, { ...common, ...party }, e.message, echo);
  if (e.reaction) {
    const r = e.reaction;
    const react = r.action === 'react';
    const emoji = react ? (r.emoji ?? r.reaction) : undefined;
    // Reactions have no id of their own: actor, action and time tell redeliveries from new ones.
    return void addEvent(batch, 'kanal.reaction.changed.v1', { ...state(r.mid), ...(emoji ? { emoji } : {}) }, `reaction:${e.sender.id}:${r.action}:${e.timestamp ?? 0}`);
  }
  if (e.message_edit) {
    const m = e.message_edit;
    return void addEvent(batch, 'kanal.message.edited.v1', { ...state(m.mid), text: m.text ?? '' }, `edit:${m.num_edit ?? 0}`);
  }
  // Receipts report on messages the business sent, like WhatsApp statuses.
  const receiptState = (mid: string) => ({ ...common, direction: 'outbound', recipient: customer, externalId: mid, target: { externalId: mid } });
  if (e.read) return receipt(batch, 'read', e.read.mid ? [e.read.mid] : [], e.read.watermark, receiptState);
  if (e.delivery) return receipt(batch, 'delivered', e.delivery.mids ?? [], e.delivery.watermark, receiptState);
  if (e.postback) {
    const p = e.postback;
    const synthetic = !p.mid;
    const externalId = p.mid ?? `postback:${e.sender.id}:${e.timestamp ?? 0}`;
    return void addEvent(batch, 'kanal.message.received.v1', {
      ...common,
      ...party,
      externalId,
      text: p.title,
      interactive: { id: p.payload ?? p.title ?? '', title: p.title },
      flags: { ...flags, ...(synthetic ? { syntheticId: true } : {}) },
    });
  }
  batch.dropped.push({ reason: 'unsupported-event', accountId, detail: Object.keys(e).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k)).join(',') });
}

type StateOf = (mid: string) => Record<string, unknown>;

/** Messenger reports a watermark (everything before it); Instagram names the message. */
function receipt(batch: NormalizedBatch, status: 'read' | 'delivered', mids: string[], watermark: number | undefined, state: StateOf) {
  for (const mid of mids) addEvent(batch, 'kanal.message.status.v1', { ...state(mid), status }, status);
  if (mids.length === 0 && watermark !== undefined) {
    const data = state(`watermark:${watermark}`);
    addEvent(batch, 'kanal.message.status.v1', { ...data, status, flags: { ...(data.flags as object), watermark: true } }, status);
  }
}

function mapMessage(batch: NormalizedBatch, common: Record<string, unknown>, m: NonNullable<SocialEvent['message']>, echo: boolean) {
  const attachments = (m.attachments ?? []).map(toAttachment);
  if (m.is_unsupported) attachments.push({ kind: 'unsupported' });
  const story = m.reply_to?.story ?? storyMention(attachments);
  const flags = { ...(common.flags as object), ...(m.is_unsupported ? { unsupported: true } : {}) };
  const event = addEvent(batch, echo ? 'kanal.message.sent.v1' : 'kanal.message.received.v1', {
    ...common,
    externalId: m.mid,
    text: m.text,
    attachments,
    replyTo: m.reply_to?.mid ? { externalId: m.reply_to.mid } : undefined,
    interactive: m.quick_reply ? { id: m.quick_reply.payload, title: m.text } : undefined,
    story,
    flags: Object.keys(flags).length ? flags : undefined,
    // Which app sent an echo and its send tag: how an echo is matched to our own send.
    metadata: echo ? echoMetadata(m) : undefined,
  });
  const items = attachments.flatMap((a, index) => (isFetched(a) ? [{ index, url: a.url }] : []));
  if (event && items.length) batch.media.push({ message: event, items });
}

function storyMention(attachments: Array<{ kind: string; url?: string }>) {
  const mention = attachments.find((a) => a.kind === 'story-mention');
  return mention ? { url: mention.url } : undefined;
}

function echoMetadata(m: NonNullable<SocialEvent['message']>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (m.app_id !== undefined) out['appId'] = String(m.app_id);
  if (m.metadata) out['sendMetadata'] = m.metadata.slice(0, 1_000);
  return Object.keys(out).length ? out : undefined;
}
