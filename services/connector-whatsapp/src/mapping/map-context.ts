import type { KanalEvent, Party } from '@kanal/contracts';
import { actorIdentities, ignoredChat, isGroupJid, normalizeJid, type LidLookup } from './jid-identity';
import type { RawKey, RawLong } from './raw-message';
import { longToNumber } from './raw-values';

export const EVENT_SOURCE = 'kanal/connector-whatsapp';

export interface MapContext {
  /** The session id: Kanal's `accountId` for this WhatsApp number. */
  accountId: string;
  receivedAt: string;
  ingestGroups: boolean;
  defaultRegion: string;
  lidToPn?: LidLookup;
}

/**
 * What one Baileys item becomes. `dedupKey` is the event id (deterministic), so "already
 * published" can be remembered across restarts; `held` items (decrypt-failure stubs) wait for
 * the resend with the same `key.id`.
 */
export type MapResult =
  | { kind: 'event'; event: KanalEvent; mediaIndexes: number[] }
  | { kind: 'held'; reason: string }
  | { kind: 'dropped'; reason: string };

export const dropped = (reason: string): MapResult => ({ kind: 'dropped', reason });

/** Items that never become events, whatever they carry. */
export function gate(key: RawKey | null | undefined, ctx: MapContext): MapResult | undefined {
  if (!key?.id || !key.remoteJid) return dropped('malformed-key');
  const ignored = ignoredChat(key.remoteJid);
  if (ignored) return dropped(ignored);
  if (isGroupJid(key.remoteJid) && !ctx.ingestGroups) return dropped('group-disabled');
  return undefined;
}

export function occurredAt(seconds: RawLong | null | undefined, ctx: MapContext): string {
  const s = longToNumber(seconds);
  return s && s > 0 ? new Date(s * 1000).toISOString() : ctx.receivedAt;
}

export function envelope(key: RawKey, ctx: MapContext, externalId: string, time: string) {
  return {
    channel: 'whatsapp' as const,
    provider: 'whatsapp-web' as const,
    accountId: ctx.accountId,
    direction: key.fromMe ? ('outbound' as const) : ('inbound' as const),
    externalId,
    conversationRef: normalizeJid(key.remoteJid)!,
    occurredAt: time,
    receivedAt: ctx.receivedAt,
  };
}

/** The customer side of a key: the group participant, or the chat partner in a DM. */
export function customerParty(key: RawKey, ctx: MapContext, displayName?: string | null): Party {
  const jids = isGroupJid(key.remoteJid)
    ? [key.participant, key.participantAlt, key.participantPn, key.participantLid]
    : [key.remoteJid, key.remoteJidAlt, key.senderPn, key.senderLid];
  return {
    ...(displayName ? { displayName: displayName.slice(0, 256) } : {}),
    identities: actorIdentities(jids, ctx),
  };
}

/**
 * Who wrote this: the customer, or (fromMe) the business, which has no customer identity. In a
 * group our own messages have no single recipient, so none is named.
 */
export function parties(key: RawKey, ctx: MapContext, pushName?: string | null): { sender: Party; recipient?: Party } {
  if (!key.fromMe) return { sender: customerParty(key, ctx, pushName) };
  if (isGroupJid(key.remoteJid)) return { sender: { identities: [] } };
  return { sender: { identities: [] }, recipient: customerParty(key, ctx) };
}

/** Stable name of whoever acted (reactor), for state-event suffixes. */
export function actorRef(key: RawKey | null | undefined): string {
  if (!key || key.fromMe) return 'me';
  return normalizeJid(key.participant || key.remoteJid) ?? 'unknown';
}
