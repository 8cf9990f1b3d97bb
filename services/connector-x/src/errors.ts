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
