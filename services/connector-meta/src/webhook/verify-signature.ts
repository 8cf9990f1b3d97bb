import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };

const HEADER = /^sha256=([0-9a-f]{64})$/i;

/**
 * Checks `X-Hub-Signature-256: sha256=<hex>` against HMAC-SHA256 of the raw bytes with each app
 * secret (several during a rotation). Meta signs the body as sent, with `\uXXXX` escapes, so the
 * bytes must never be parsed and re-serialised before this check.
 */
export function verifySignature(raw: Buffer, header: string | undefined, secrets: readonly string[]): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const m = HEADER.exec(header.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(m[1]!.toLowerCase(), 'hex');
  let match = false;
  // Every secret is tried (no early exit) so timing does not reveal which one matched.
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(raw).digest();
    if (timingSafeEqual(expected, given)) match = true;
  }
  return match ? { ok: true } : { ok: false, reason: 'mismatch' };
}

export function signBody(raw: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}
