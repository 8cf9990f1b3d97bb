import { compact, type ItemSink } from '../normalize/normalized-batch';
import { parties, type SocialItem } from './social-parties';
import type { SocialEvent } from './social-payload';

/**
 * Reactions, edits, unsends and receipts change a message that exists: they target its `mid` and
 * never create one. Their ids carry a suffix, so each state change is one event, redeliveries
 * included.
 */
export function mapDeleted(sink: ItemSink, item: SocialItem, mid: string): void {
  sink.add('kanal.message.deleted.v1', state(item, mid), 'deleted');
}

export function mapReaction(sink: ItemSink, item: SocialItem, r: NonNullable<SocialEvent['reaction']>): void {
  const e = item.event;
  const emoji = r.action === 'react' ? (r.emoji ?? r.reaction) : undefined;
  // Reactions have no id of their own: actor, action and time tell redeliveries from new ones.
  sink.add(
    'kanal.reaction.changed.v1',
    { ...state(item, r.mid), ...(emoji ? { emoji: emoji.slice(0, 64) } : {}) },
    `reaction:${e.sender.id}:${r.action}:${e.timestamp ?? 0}`,
  );
}

export function mapEdit(sink: ItemSink, item: SocialItem, m: NonNullable<SocialEvent['message_edit']>): void {
  sink.add('kanal.message.edited.v1', { ...state(item, m.mid), text: m.text ?? '' }, `edit:${m.num_edit ?? 0}`);
}

/**
 * Receipts report on messages the business sent, like WhatsApp statuses: the recipient is the
 * customer. Messenger reports a watermark (everything before it was read), Instagram the message.
 */
export function mapReceipt(
  sink: ItemSink,
  item: SocialItem,
  status: 'read' | 'delivered',
  mids: string[],
  watermark: number | string | undefined,
): void {
  const receipt = (mid: string, flags: Record<string, boolean>) => ({
    ...item.common,
    direction: 'outbound',
    recipient: item.customer,
    externalId: mid,
    target: { externalId: mid },
    status,
    flags: compact(flags),
  });
  for (const mid of mids) sink.add('kanal.message.status.v1', receipt(mid, item.flags), status);
  if (mids.length === 0 && watermark !== undefined) {
    sink.add('kanal.message.status.v1', receipt(`watermark:${watermark}`, { ...item.flags, watermark: true }), status);
  }
}

function state(item: SocialItem, mid: string) {
  return { ...item.common, ...parties(item), externalId: mid, target: { externalId: mid }, flags: compact(item.flags) };
}
