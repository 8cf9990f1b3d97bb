import type { KanalEvent, StorableInboundRefusal } from '@kanal/contracts';

/**
 * Why an item is, by design, not a message (counted in `kanal_whatsapp_skipped_total{reason}`).
 * Everything else either becomes an event or a dead letter: this list is the whole of what the
 * connector may leave unpublished.
 */
export type SkipReason =
  | 'status-broadcast'
  | 'broadcast'
  | 'newsletter'
  | 'group-disabled'
  | 'self-chat'
  | 'held-ciphertext-stub'
  | `protocol-${string}`
  | 'sender-key-distribution'
  | 'history-notice'
  | 'system-stub'
  | 'poll-vote'
  | 'event-response'
  | 'encrypted-reaction'
  | 'keep-in-chat'
  | 'pin-in-chat'
  | 'update-ignored';

/** Stable codes of items the mapper could not turn into an event (`kanal_whatsapp_dead_lettered_total{code}`). */
export const DEAD_LETTER_CODES = {
  malformedItem: 'WHATSAPP.MALFORMED_ITEM',
  invalidEvent: 'WHATSAPP.INVALID_EVENT',
  malformedKey: 'WHATSAPP.MALFORMED_KEY',
  noContent: 'WHATSAPP.NO_CONTENT',
  protocolWithoutTarget: 'WHATSAPP.PROTOCOL_WITHOUT_TARGET',
  reactionWithoutTarget: 'WHATSAPP.REACTION_WITHOUT_TARGET',
  malformedPayload: 'WHATSAPP.MALFORMED_PAYLOAD',
  mappingFailed: 'WHATSAPP.MAPPING_FAILED',
} as const;
/**
 * What toStorableInbound refuses (an id the event needs holds a NUL or an unpaired surrogate, or
 * a message no record can hold): `WHATSAPP.EXTERNAL_ID_NOT_STORABLE`, `WHATSAPP.MESSAGE_TOO_LARGE`,
 * … (STORABLE_INBOUND_REFUSALS): the code names the field.
 */
export const notStorableCode = (refusal: StorableInboundRefusal): `WHATSAPP.${StorableInboundRefusal}` =>
  `WHATSAPP.${refusal}`;

export type DeadLetterCode =
  (typeof DEAD_LETTER_CODES)[keyof typeof DEAD_LETTER_CODES] | `WHATSAPP.${StorableInboundRefusal}`;

/**
 * What one Baileys item becomes. The event id is deterministic, so "already published" can be
 * remembered across restarts; `held` items (decrypt-failure stubs) wait for the resend with the
 * same `key.id`; `failed` items become provider dead letters carrying the raw item.
 */
export type MapResult =
  | { kind: 'event'; event: KanalEvent; mediaIndexes: number[] }
  | { kind: 'skipped'; reason: SkipReason }
  | { kind: 'failed'; code: DeadLetterCode; message: string };

export const skipped = (reason: SkipReason): MapResult => ({ kind: 'skipped', reason });

/** `message` is for the operator and names no personal data (the raw item travels in the letter). */
export const failed = (code: DeadLetterCode, message: string): MapResult => ({ kind: 'failed', code, message });

export const eventResult = (event: KanalEvent, mediaIndexes: number[] = []): MapResult => ({
  kind: 'event',
  event,
  mediaIndexes,
});
