import { timingSafeEqual } from 'node:crypto';

/**
 * Meta's subscription handshake: `hub.mode=subscribe` with our verify token ⇒ echo `hub.challenge`
 * exactly; anything else ⇒ undefined (answered 403).
 */
export function verifySubscription(query: Record<string, unknown>, verifyToken: string): string | undefined {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string' || challenge.length === 0) return undefined;
  const a = Buffer.from(token);
  const b = Buffer.from(verifyToken);
  return a.length === b.length && timingSafeEqual(a, b) ? challenge : undefined;
}
