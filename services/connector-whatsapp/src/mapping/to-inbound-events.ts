import { EVENT_TYPES, buildInboundEvent, type MessageData } from '@kanal/contracts';
import { EVENT_SOURCE, actorRef, dropped, envelope, gate, occurredAt, parties, type MapContext, type MapResult } from './map-context';
import { mapContent } from './message-content';
import type { RawContent, RawWaMessage } from './raw-message';
import { PROTOCOL_TYPES, STUB_TYPES, enumValue, longToNumber } from './raw-values';
import { deletedEvent, editedEvent, reactionEvent } from './state-events';
import { unwrapMessage } from './unwrap-message';
import { isGroupJid, normalizeJid } from './jid-identity';

/**
 * One `messages.upsert` item (`notify` or `append`) → one event, a held stub or a counted drop.
 * The mapper reads untyped JSON (history sync, `kanal normalize`): a value of the wrong type or
 * out of range is a `malformed-item` drop, and an event the contract rejects an `invalid-event`
 * drop (a consumer would dead-letter it), never a throw that stops the whole upsert.
 */
export function toInboundEvent(msg: RawWaMessage, ctx: MapContext): MapResult {
  let result: MapResult;
  try {
    result = mapItem(msg, ctx);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) return dropped('malformed-item');
    throw error;
  }
  if (result.kind === 'event' && !EVENT_TYPES[result.event.type].data.safeParse(result.event.data).success) return dropped('invalid-event');
  return result;
}

function mapItem(msg: RawWaMessage, ctx: MapContext): MapResult {
  const gated = gate(msg.key, ctx);
  if (gated) return gated;
  const key = msg.key;
  const stub = enumValue(msg.messageStubType, STUB_TYPES);
  // Decrypt failures and "absent from node" placeholders: Baileys asks for a resend that arrives
  // later under the same key.id, which is the one to publish.
  if (stub === STUB_TYPES.CIPHERTEXT) return { kind: 'held', reason: 'ciphertext-stub' };
  const time = occurredAt(msg.messageTimestamp, ctx);
  if (!msg.message) {
    if (key.isViewOnce) return messageEvent(msg, ctx, time, { unsupported: true, viewOnce: true }, undefined);
    return dropped(stub !== undefined ? 'stub' : 'no-content');
  }
  const { content, viewOnce } = unwrapMessage(msg.message);
  if (!content) return dropped('no-content');

  const protocol = content.protocolMessage;
  if (protocol) {
    const type = enumValue(protocol.type, PROTOCOL_TYPES);
    const targetId = protocol.key?.id;
    if (!targetId) return dropped('protocol-without-target');
    const input = { chatKey: key, targetId, occurredAt: time, pushName: msg.pushName };
    if (type === PROTOCOL_TYPES.REVOKE) return deletedEvent(input, ctx);
    if (type === PROTOCOL_TYPES.MESSAGE_EDIT) {
      const ms = longToNumber(protocol.timestampMs);
      const seconds = ms ? Math.floor(ms / 1000) : (longToNumber(msg.messageTimestamp) ?? 0);
      const editInput = { ...input, occurredAt: occurredAt(seconds, ctx) };
      return editedEvent(editInput, editedText(protocol.editedMessage), seconds, ctx);
    }
    return dropped('protocol-message');
  }
  const reaction = content.reactionMessage;
  if (reaction) {
    const targetId = reaction.key?.id;
    if (!targetId) return dropped('reaction-without-target');
    const senderMs = longToNumber(reaction.senderTimestampMs) ?? 0;
    // The reaction's own clock, which `messages.reaction` carries too: both paths agree.
    const at = senderMs ? new Date(senderMs).toISOString() : time;
    const input = { chatKey: key, targetId, occurredAt: at, pushName: msg.pushName };
    return reactionEvent(input, reaction.text, actorRef(key), senderMs, ctx);
  }
  return messageEvent(msg, ctx, time, { viewOnce }, content);
}

/** Text of edited content (a caption edit edits the caption). */
export function editedText(message: RawContent | null | undefined): string {
  const { content } = unwrapMessage(message);
  return content ? (mapContent(content).text ?? '') : '';
}

function messageEvent(
  msg: RawWaMessage,
  ctx: MapContext,
  time: string,
  hints: { viewOnce?: boolean; unsupported?: boolean },
  content: RawContent | undefined,
): MapResult {
  const key = msg.key;
  const mapped = content ? mapContent(content) : { attachments: [{ kind: 'unsupported' as const }], mediaIndexes: [], unsupported: true };
  const group = isGroupJid(key.remoteJid);
  const flags = {
    ...(group ? { group: true } : {}),
    ...(hints.viewOnce ? { viewOnce: true } : {}),
    ...(hints.unsupported || mapped.unsupported ? { unsupported: true } : {}),
    ...('forwarded' in mapped && mapped.forwarded ? { forwarded: true } : {}),
  };
  const data: MessageData = {
    ...envelope(key, ctx, key.id!, time),
    ...parties(key, ctx, msg.pushName),
    ...('text' in mapped && mapped.text !== undefined ? { text: mapped.text.slice(0, 100_000) } : {}),
    attachments: mapped.attachments,
    ...('replyTo' in mapped && mapped.replyTo ? { replyTo: mapped.replyTo } : {}),
    ...('interactive' in mapped && mapped.interactive ? { interactive: mapped.interactive } : {}),
    ...(group ? { group: { id: normalizeJid(key.remoteJid)! } } : {}),
    ...(Object.keys(flags).length ? { flags } : {}),
  };
  const type = key.fromMe ? 'kanal.message.sent.v1' : 'kanal.message.received.v1';
  return { kind: 'event', event: buildInboundEvent(type, data, { source: EVENT_SOURCE }), mediaIndexes: mapped.mediaIndexes };
}
