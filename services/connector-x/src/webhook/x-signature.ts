import { createHmac, timingSafeEqual } from 'node:crypto';

const hmac = (secret: string, data: string | Buffer) => createHmac('sha256', secret).update(data).digest();

/** CRC answer: `sha256=` + base64 HMAC-SHA256 of `crc_token` keyed with the consumer secret. */
export function crcResponseToken(consumerSecret: string, crcToken: string): string {
  return `sha256=${hmac(consumerSecret, crcToken).toString('base64')}`;
}

/**
 * Checks `x-twitter-webhooks-signature` (`sha256=<base64 HMAC of the raw body>`). The HMAC is over
 * the bytes as received: re-serialized JSON would differ (key order, escapes) and never match.
 */
export function isValidSignature(consumerSecret: string, rawBody: Buffer, header: string): boolean {
  const m = /^sha256=([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'base64');
  const expected = hmac(consumerSecret, rawBody);
  // timingSafeEqual needs equal lengths; a wrong length is already a mismatch and leaks nothing secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
