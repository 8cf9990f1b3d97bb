import type { MessageStatusData } from '@kanal/contracts';
import { actorRef, dropped, gate, occurredAt, type MapContext, type MapResult } from './map-context';
import type { RawMessageUpdate, RawReaction } from './raw-message';
import { MESSAGE_STATUS, STUB_TYPES, enumValue, longToNumber } from './raw-values';
import { deletedEvent, editedEvent, reactionEvent, statusEvent } from './state-events';
import { editedText } from './to-inbound-events';

const STATUS_NAMES: Partial<Record<number, MessageStatusData['status']>> = {
  [MESSAGE_STATUS.ERROR]: 'failed',
  [MESSAGE_STATUS.SERVER_ACK]: 'sent',
  [MESSAGE_STATUS.DELIVERY_ACK]: 'delivered',
  [MESSAGE_STATUS.READ]: 'read',
  [MESSAGE_STATUS.PLAYED]: 'played',
};

/** One `messages.update` item: revoke, edit, or a receipt on one of our own messages. */
export function toUpdateEvent(item: RawMessageUpdate, ctx: MapContext): MapResult {
  const gated = gate(item.key, ctx);
  if (gated) return gated;
  const { key, update } = item;
  const targetId = key.id!;
  const time = occurredAt(update.messageTimestamp, ctx);
  const input = { chatKey: key, targetId, occurredAt: time };
  if (update.message === null && enumValue(update.messageStubType, STUB_TYPES) === STUB_TYPES.REVOKE) {
    return deletedEvent(input, ctx);
  }
  const edited = update.message?.editedMessage?.message;
  if (edited) return editedEvent(input, editedText(edited), longToNumber(update.messageTimestamp) ?? 0, ctx);
  const status = STATUS_NAMES[enumValue(update.status, MESSAGE_STATUS) ?? -1];
  // Receipts on customer messages only say that *we* read them; only our own sends get statuses.
  if (status && key.fromMe) return statusEvent(input, status, ctx);
  return dropped('update-ignored');
}

/** One `messages.reaction` item; an empty `text` removes the reaction. */
export function toReactionEvent(item: RawReaction, ctx: MapContext): MapResult {
  const gated = gate(item.key, ctx);
  if (gated) return gated;
  const reactorKey = item.reaction.key ?? item.key;
  const senderMs = longToNumber(item.reaction.senderTimestampMs) ?? 0;
  const input = {
    chatKey: { ...reactorKey, remoteJid: item.key.remoteJid },
    targetId: item.key.id!,
    occurredAt: senderMs ? new Date(senderMs).toISOString() : ctx.receivedAt,
  };
  return reactionEvent(input, item.reaction.text, actorRef(reactorKey), senderMs, ctx);
}
