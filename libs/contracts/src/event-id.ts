import { v5 as uuidv5 } from 'uuid';

/** Fixed namespaces: changing one would change every id and break downstream dedup. */
const NAMESPACES = {
  inbound: '6c1d2f0e-3b7a-5e4c-9d21-8a0f4b6e2c11',
  customers: '9e4b7a21-1c3d-5f60-8b2e-3d4f5a6b7c8d',
  routing: 'b2c3d4e5-f6a7-5b8c-9d0e-1f2a3b4c5d6e',
  providerDeadLetters: '3f6b1c2d-8e9a-5b4c-8d7e-6f5a4b3c2d1e',
} as const;

const utf8 = new TextEncoder();

/**
 * UUIDv5 of the UTF-8 bytes of `name`. Same bytes as uuid's own string encoding for every
 * well-formed string; a lone surrogate (possible in any provider JSON) becomes U+FFFD instead
 * of throwing `URIError: URI malformed`.
 */
function nameId(name: string, namespace: string): string {
  return uuidv5(utf8.encode(name), namespace);
}

/**
 * The deterministic CloudEvents id of a provider event (docs/architecture.md#2-the-event-contract): UUIDv5 of
 * `channel:accountId:providerId[:suffix]`. The same provider event always gets the same id.
 */
export function inboundEventId(channel: string, accountId: string, providerId: string, suffix?: string): string {
  return nameId([channel, accountId, providerId, ...(suffix ? [suffix] : [])].join(':'), NAMESPACES.inbound);
}

/** Id of an event derived by the unifier from one input event (redelivery ⇒ same id). */
export function customerEventId(...parts: string[]): string {
  return nameId(parts.join(':'), NAMESPACES.customers);
}

/** Id of a routing decision derived from its cause (redelivery or a second router ⇒ same id). */
export function routingEventId(...parts: string[]): string {
  return nameId(parts.join(':'), NAMESPACES.routing);
}

/** Id of a connector's dead letter: the same provider item failing again (a redelivery) is one record. */
export function providerDeadLetterId(...parts: string[]): string {
  return nameId(parts.join(':'), NAMESPACES.providerDeadLetters);
}
