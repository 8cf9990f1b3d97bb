import type { StorableInboundRefusal } from '@kanal/contracts';

/** Stable error codes of connector-x; they reach HTTP answers, logs and metrics. */
export const X_ERROR_CODES = {
  invalidPayload: 'X.INVALID_PAYLOAD',
  accountRequired: 'X.ACCOUNT_REQUIRED',
  missingSignature: 'X.SIGNATURE_MISSING',
  invalidSignature: 'X.SIGNATURE_INVALID',
  missingCrcToken: 'X.CRC_TOKEN_MISSING',
  webhookDisabled: 'X.WEBHOOK_DISABLED',
  rateLimited: 'X.RATE_LIMITED',
  apiFailed: 'X.API_FAILED',
  authFailed: 'X.AUTH_FAILED',
} as const;

/**
 * Why an X item became a provider dead letter (`kanal.dlq.record.v1`, origin `provider`) instead of
 * an event. The raw item travels with the letter, so `kanal dlq replay` can map it after a fix.
 */
export const X_DEAD_LETTER_CODES = {
  /** An event type connector-x does not know (v2 `event_type`, v1.1 `type`, an Account Activity key). */
  unknownEventType: 'X.UNKNOWN_EVENT_TYPE',
  /** Not shaped like the event X documents (no id, a field of the wrong type). */
  invalidEvent: 'X.INVALID_EVENT',
  /** A DM without its sender or conversation: neither direction nor thread can be told. */
  missingField: 'X.MISSING_FIELD',
  /** The mapped event failed the event contract. */
  invalidMessage: 'X.INVALID_MESSAGE',
  /** A webhook body with DMs for a subscription that is not configured (X_ACCOUNTS / X_ACCOUNT_ID). */
  unknownAccount: 'X.UNKNOWN_ACCOUNT',
} as const;

/**
 * What toStorableInbound refuses (an id the event needs holds a NUL or an unpaired surrogate, or
 * a message no record can hold): `X.EXTERNAL_ID_NOT_STORABLE`, `X.MESSAGE_TOO_LARGE`, …
 * (STORABLE_INBOUND_REFUSALS): the code names the field.
 */
export const notStorableCode = (refusal: StorableInboundRefusal): `X.${StorableInboundRefusal}` => `X.${refusal}`;

export type XDeadLetterCode =
  (typeof X_DEAD_LETTER_CODES)[keyof typeof X_DEAD_LETTER_CODES] | `X.${StorableInboundRefusal}`;

export class XError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'XError';
  }
}
