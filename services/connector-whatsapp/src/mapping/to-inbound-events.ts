import {
  EVENT_TYPES,
  buildInboundEvent,
  toStorableInbound,
  type Flags,
  type InboundEventType,
  type KanalEvent,
  type MessageData,
} from '@kanal/contracts';
import { isGroupJid, normalizeJid } from './jid-identity';
import {
  EVENT_SOURCE,
  actorRef,
  envelope,
  gate,
  occurredAt,
  parties,
  timeFromMs,
  type MapContext,
  type ProviderTime,
} from './map-context';
import { DEAD_LETTER_CODES, eventResult, failed, notStorableCode, skipped, type MapResult } from './map-result';
import { mapContent, type MappedContent } from './message-content';
import { nonMessageReason, protocolSkipReason } from './non-messages';
import type { RawContent, RawWaMessage } from './raw-message';
import { PROTOCOL_TYPES, STUB_TYPES, enumValue, longToNumber } from './raw-values';
import { deletedEvent, editedEvent, reactionEvent } from './state-events';
import { unwrapMessage } from './unwrap-message';

const MISSED_CALLS = new Set<number>([
  STUB_TYPES.CALL_MISSED_VOICE,
  STUB_TYPES.CALL_MISSED_VIDEO,
  STUB_TYPES.CALL_MISSED_GROUP_VOICE,
  STUB_TYPES.CALL_MISSED_GROUP_VIDEO,
]);

/**
 * One `messages.upsert` item (`notify` or `append`) → an event, a counted skip (by design not a
 * message) or a dead letter. The mapper reads untyped JSON (history sync, `kanal normalize`): a
 * value of the wrong type is a `WHATSAPP.MALFORMED_ITEM` letter and an event the contract rejects
 * a `WHATSAPP.INVALID_EVENT` letter, never a throw that stops the whole upsert.
 */
export function toInboundEvent(msg: RawWaMessage, ctx: MapContext): MapResult {
  return guarded(() => mapItem(msg, ctx));
}

/**
 * Runs a mapper on untrusted input: type errors become letters; every event is made storable and
 * bounded (toStorableInbound: the phone already shows the message, so texts are repaired and
 * cut, times fall back, flagged), then checked against the contract.
 */
export function guarded(map: () => MapResult): MapResult {
  let result: MapResult;
  try {
    result = map();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      return failed(DEAD_LETTER_CODES.malformedItem, `item has a value of an unexpected type (${error.name})`);
    }
    // A mapper defect must not lose the item either: it waits in the DLQ for the fixed mapper.
    return failed(
      DEAD_LETTER_CODES.mappingFailed,
      `mapper failed (${error instanceof Error ? error.name : typeof error})`,
    );
  }
  if (result.kind !== 'event') return result;
  const { event } = result;
  const data = event.data as MessageData;
  const storable = toStorableInbound(data, { receivedAt: data.receivedAt });
  if (!storable.ok) return failed(notStorableCode(storable.refusal), storable.message);
  // Ids (and so the event id and key) never change here; the time may have fallen back.
  const kept = { ...event, time: storable.data.occurredAt, data: storable.data } as KanalEvent<InboundEventType>;
  const parsed = EVENT_TYPES[kept.type].data.safeParse(kept.data);
  if (parsed.success) return { ...result, event: kept };
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].slice(0, 5).join(', ');
  return failed(DEAD_LETTER_CODES.invalidEvent, `the event breaks the contract at ${fields}`);
}

function mapItem(msg: RawWaMessage, ctx: MapContext): MapResult {
  if (!msg || typeof msg !== 'object') return failed(DEAD_LETTER_CODES.malformedItem, 'item is not an object');
  const gated = gate(msg.key, ctx);
  if (gated) return gated;
  const key = msg.key;
  const stub = enumValue(msg.messageStubType, STUB_TYPES);
  // Decrypt failures and "absent from node" placeholders: Baileys asks for a resend that arrives
  // later under the same key.id, which is the one to publish.
  if (stub === STUB_TYPES.CIPHERTEXT) return skipped('held-ciphertext-stub');
  const time = occurredAt(msg.messageTimestamp, ctx);
  if (msg.message === null || msg.message === undefined) {
    if (key.isViewOnce === true) return messageEvent(msg, ctx, time, withheld('view-once'), { viewOnce: true });
    if (stub !== undefined && MISSED_CALLS.has(stub))
      return messageEvent(msg, ctx, time, withheld('missed-call'), { missedCall: true });
    // History sync keeps a revoked message as its stub, under the revoked message's own id.
    if (stub === STUB_TYPES.REVOKE) return deletedEvent({ chatKey: key, targetId: key.id!, time }, ctx);
    if (stub !== undefined && stub !== 0) return skipped('system-stub');
    return failed(DEAD_LETTER_CODES.noContent, 'item has neither a message nor a stub type');
  }
  const { content, viewOnce } = unwrapMessage(msg.message);
  if (!content) return failed(DEAD_LETTER_CODES.malformedItem, 'message is not an object');

  const protocol = content.protocolMessage;
  if (protocol && typeof protocol === 'object') {
    const type = enumValue(protocol.type, PROTOCOL_TYPES);
    if (type !== PROTOCOL_TYPES.REVOKE && type !== PROTOCOL_TYPES.MESSAGE_EDIT)
      return skipped(protocolSkipReason(type));
    const targetId = protocol.key?.id;
    if (!targetId || typeof targetId !== 'string') {
      return failed(
        DEAD_LETTER_CODES.protocolWithoutTarget,
        `protocolMessage ${type === 0 ? 'REVOKE' : 'MESSAGE_EDIT'} without a target key id`,
      );
    }
    const input = { chatKey: key, targetId, time, pushName: msg.pushName };
    if (type === PROTOCOL_TYPES.REVOKE) return deletedEvent(input, ctx);
    const ms = longToNumber(protocol.timestampMs);
    const seconds = ms ? Math.floor(ms / 1000) : (longToNumber(msg.messageTimestamp) ?? 0);
    return editedEvent({ ...input, time: occurredAt(seconds, ctx) }, editedText(protocol.editedMessage), seconds, ctx);
  }
  const reaction = content.reactionMessage;
  if (reaction && typeof reaction === 'object') {
    const targetId = reaction.key?.id;
    if (!targetId || typeof targetId !== 'string')
      return failed(DEAD_LETTER_CODES.reactionWithoutTarget, 'reactionMessage without a target key id');
    const senderMs = longToNumber(reaction.senderTimestampMs) ?? 0;
    // The reaction's own clock, which `messages.reaction` carries too: both paths agree.
    const at = senderMs ? timeFromMs(senderMs, ctx) : time;
    return reactionEvent(
      { chatKey: key, targetId, time: at, pushName: msg.pushName },
      reaction.text,
      actorRef(key),
      senderMs,
      ctx,
    );
  }
  const skip = nonMessageReason(content);
  if (skip) return skipped(skip);
  return messageEvent(msg, ctx, time, mapContent(content), viewOnce ? { viewOnce: true } : {});
}

/** Text of edited content (a caption edit edits the caption). */
export function editedText(message: RawContent | null | undefined): string {
  const { content } = unwrapMessage(message);
  return content ? (mapContent(content).text ?? '') : '';
}

/** Content WhatsApp did not give this device (view-once media kept on the phone, a call): a placeholder. */
function withheld(title: string): MappedContent {
  return { attachments: [{ kind: 'unsupported', title }], mediaIndexes: [], flags: { unsupported: true } };
}

function messageEvent(
  msg: RawWaMessage,
  ctx: MapContext,
  time: ProviderTime,
  mapped: MappedContent,
  hints: Flags,
): MapResult {
  const key = msg.key;
  const group = isGroupJid(key.remoteJid);
  const { flags: partyFlags, ...who } = parties(key, ctx, msg.pushName);
  const flags: Flags = {
    ...(group ? { group: true } : {}),
    ...hints,
    ...mapped.flags,
    ...partyFlags,
    ...(time.fallback ? { dateFallback: true } : {}),
  };
  const data: MessageData = {
    ...envelope(key, ctx, key.id!, time.at),
    ...who,
    // Cut to the contract's caps (and flagged) by toStorableInbound in `guarded`, never mid-character.
    ...(mapped.text !== undefined ? { text: mapped.text } : {}),
    attachments: mapped.attachments.slice(0, 100),
    ...(mapped.replyTo ? { replyTo: mapped.replyTo } : {}),
    ...(mapped.interactive ? { interactive: mapped.interactive } : {}),
    ...(group ? { group: { id: normalizeJid(key.remoteJid)! } } : {}),
    ...(Object.keys(flags).length ? { flags } : {}),
  };
  const type = key.fromMe ? 'kanal.message.sent.v1' : 'kanal.message.received.v1';
  return eventResult(buildInboundEvent(type, data, { source: EVENT_SOURCE }), mapped.mediaIndexes);
}
