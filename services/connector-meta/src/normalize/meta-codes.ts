import type { StorableInboundRefusal } from '@kanal/contracts';

/**
 * Stable codes of the webhook items that become provider dead letters (`kanal.dlq.record.v1`,
 * `origin: provider`). Each letter carries the webhook body reduced to that one item, so
 * `kanal dlq replay` can run it through a later mapper. Never reuse a code for another meaning.
 */
export const META_CODES = {
  /** The item lacks what every item of its kind has (a message id, a messaging item's sender). */
  invalidItem: 'META.INVALID_ITEM',
  /** A WhatsApp message with neither `from` nor a BSUID: no customer to attach it to. */
  noSenderIdentity: 'META.NO_SENDER_IDENTITY',
  /** A WhatsApp status with neither `recipient_id` nor `recipient_user_id`. */
  noRecipient: 'META.NO_RECIPIENT',
  /** A WhatsApp status value outside sent/delivered/read/played/failed. */
  unknownStatus: 'META.UNKNOWN_STATUS',
  /** A system-level `value.errors[]` entry: Meta reports a problem, possibly a lost message. */
  providerError: 'META.PROVIDER_ERROR',
  /** A WhatsApp change field (or a `messages` value array) the mapper does not know. */
  unsupportedField: 'META.UNSUPPORTED_FIELD',
  /** An Instagram/Messenger messaging item of a kind the mapper does not know. */
  unsupportedEvent: 'META.UNSUPPORTED_EVENT',
  /** What the mapper built fails the event contract (a consumer would dead-letter it anyway). */
  invalidEvent: 'META.INVALID_EVENT',
  /** The event would not fit a Kafka record (a Flow answer of a megabyte); the letter keeps it whole. */
  eventTooLarge: 'META.EVENT_TOO_LARGE',
  /** The item gave no event and is not a by-design skip. */
  unmappedItem: 'META.UNMAPPED_ITEM',
  /** The mapper threw on this item (a bug): the rest of the delivery is still published. */
  mapperFailed: 'META.MAPPER_FAILED',
  /** An account this deployment is not configured for; replay after adding it to the config. */
  unknownAccount: 'META.UNKNOWN_ACCOUNT',
} as const;
export type MetaCode = (typeof META_CODES)[keyof typeof META_CODES];

/**
 * What toStorableInbound refuses (an id the event needs holds a NUL or an unpaired surrogate,
 * or a message no record can hold): `META.EXTERNAL_ID_NOT_STORABLE`, `META.IDENTITY_NOT_STORABLE`,
 * `META.MESSAGE_TOO_LARGE`, … (STORABLE_INBOUND_REFUSALS): the code names the field.
 */
export const notStorableCode = (refusal: StorableInboundRefusal): `META.${StorableInboundRefusal}` => `META.${refusal}`;

/**
 * Reasons of counted skips: items that are by design not messages. Anything else that does not
 * become an event is a dead letter.
 */
export const SKIP_REASONS = {
  /** The App Dashboard's "Test" button (entry id `0`, sample content). */
  testWebhook: 'test-webhook',
  /** Account, template, quality, group-admin and similar change fields; IG/Page feed changes. */
  nonMessageField: 'non-message-field',
  /** WhatsApp `request_welcome`: the customer opened the chat, nothing was written. */
  requestWelcome: 'request-welcome',
  /** Messenger/Instagram opt-ins: a consent change (marketing messages, plugins), not a message. */
  optin: 'optin',
  /** A referral on its own (an ad or m.me/ig.me link opened in an existing thread). */
  referral: 'referral',
  /** Handover protocol: thread control passed, taken or requested; app roles. */
  handover: 'handover',
  /** A policy enforcement notice to the Page (no customer involved). */
  policyEnforcement: 'policy-enforcement',
  /** Messenger account linking/unlinking. */
  accountLinking: 'account-linking',
  /** Messenger Instant Games play events. */
  gamePlay: 'game-play',
} as const;
export type SkipReason = (typeof SKIP_REASONS)[keyof typeof SKIP_REASONS];

/** Fallback flags counted per event: each means a provider value was replaced or left out. */
export const FALLBACK_FLAGS = [
  'phoneUnverified',
  'identityFallback',
  'dateFallback',
  'locationFallback',
  // Set by toStorableInbound: text cut to its cap, an unstorable optional id left out, text repaired.
  'textTruncated',
  'identifierDropped',
  'messageTrimmed',
  'textSanitized',
] as const;
