import type { MessageStatusData } from '@kanal/contracts';
import { actorRef, gate, occurredAt, timeFromMs, type MapContext } from './map-context';
import { DEAD_LETTER_CODES, failed, skipped, type MapResult } from './map-result';
import type { RawMessageUpdate, RawReaction } from './raw-message';
import { MESSAGE_STATUS, STUB_TYPES, enumValue, longToNumber } from './raw-values';
import { deletedEvent, editedEvent, reactionEvent, statusEvent } from './state-events';
import { editedText, guarded } from './to-inbound-events';

const STATUS_NAMES: Partial<Record<number, MessageStatusData['status']>> = {
  [MESSAGE_STATUS.ERROR]: 'failed',
  [MESSAGE_STATUS.SERVER_ACK]: 'sent',
  [MESSAGE_STATUS.DELIVERY_ACK]: 'delivered',
  [MESSAGE_STATUS.READ]: 'read',
  [MESSAGE_STATUS.PLAYED]: 'played',
};

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * One `messages.update` item: revoke, edit, or a receipt on one of our own messages. Everything
 * else Baileys reports there (our own read receipts on customer messages, stars, poll tallies,
 * media re-uploads) is bookkeeping: a counted skip.
 */
export function toUpdateEvent(item: RawMessageUpdate, ctx: MapContext): MapResult {
  return guarded(() => {
    if (!isObject(item) || !isObject(item.update))
      return failed(DEAD_LETTER_CODES.malformedItem, 'update item without an update object');
    const gated = gate(item.key, ctx);
    if (gated) return gated;
    const { key, update } = item;
    const targetId = key.id!;
    // Receipts carry no time of their own: receivedAt is their time by design, not a fallback.
    const time = occurredAt(update.messageTimestamp, ctx, false);
    const input = { chatKey: key, targetId, time };
    if (update.message == null && enumValue(update.messageStubType, STUB_TYPES) === STUB_TYPES.REVOKE) {
      return deletedEvent(input, ctx);
    }
    const edited = update.message?.editedMessage?.message;
    if (isObject(edited))
      return editedEvent(input, editedText(edited), longToNumber(update.messageTimestamp) ?? 0, ctx);
    const status = STATUS_NAMES[enumValue(update.status, MESSAGE_STATUS) ?? -1];
    // Receipts on customer messages only say that *we* read them; only our own sends get statuses.
    if (status && key.fromMe) return statusEvent(input, status, ctx);
    return skipped('update-ignored');
  });
}

/** One `messages.reaction` item; an empty `text` removes the reaction. */
export function toReactionEvent(item: RawReaction, ctx: MapContext): MapResult {
  return guarded(() => {
    if (!isObject(item) || !isObject(item.reaction))
      return failed(DEAD_LETTER_CODES.malformedItem, 'reaction item without a reaction object');
    const gated = gate(item.key, ctx);
    if (gated) return gated;
    const reactorKey = isObject(item.reaction.key) ? item.reaction.key : item.key;
    const senderMs = longToNumber(item.reaction.senderTimestampMs) ?? 0;
    const input = {
      chatKey: { ...reactorKey, remoteJid: item.key.remoteJid },
      targetId: item.key.id!,
      time: timeFromMs(senderMs || undefined, ctx),
    };
    return reactionEvent(input, item.reaction.text, actorRef(reactorKey), senderMs, ctx);
  });
}
