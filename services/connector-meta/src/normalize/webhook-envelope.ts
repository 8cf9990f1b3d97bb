/** A body that is not a webhook of this provider: answered 400 (Meta then drops it). */
export class InvalidWebhookBodyError extends Error {
  readonly code = 'META.INVALID_BODY';
}

/**
 * The envelope check every provider shares: `object` names the provider and `entry` is a list.
 * Only this decides a 400; whatever is wrong inside an entry stays with that entry.
 */
export function envelopeOf(
  body: unknown,
  what: string,
  object: string,
): { body: Record<string, unknown>; entries: unknown[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidWebhookBodyError(`not a ${what} webhook: the body is not an object`);
  }
  const b = body as Record<string, unknown>;
  if (b['object'] !== object) throw new InvalidWebhookBodyError(`not a ${what} webhook: object is not "${object}"`);
  if (!Array.isArray(b['entry'])) throw new InvalidWebhookBodyError(`not a ${what} webhook: entry is not a list`);
  return { body: b, entries: b['entry'] };
}
