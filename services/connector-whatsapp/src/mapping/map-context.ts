import type { Flags, Party } from '@kanal/contracts';
import {
  actorIdentities,
  ignoredChat,
  isGroupJid,
  isLidJid,
  isPnJid,
  jidKey,
  normalizeJid,
  parseJid,
  type ActorIdentities,
  type LidLookup,
} from './jid-identity';
import { DEAD_LETTER_CODES, failed, skipped, type MapResult } from './map-result';
import type { RawKey, RawLong, RawSessionUser } from './raw-message';
import { longToNumber } from './raw-values';

export const EVENT_SOURCE = 'kanal/connector-whatsapp';

export interface MapContext {
  /** The session id: Kanal's `accountId` for this WhatsApp number. */
  accountId: string;
  receivedAt: string;
  ingestGroups: boolean;
  lidToPn?: LidLookup;
  /** The session's own account (Baileys `sock.user` / creds `me`): the business side of each event. */
  self?: RawSessionUser;
}

/** Items that never become events, whatever they carry. */
export function gate(key: RawKey | null | undefined, ctx: MapContext): MapResult | undefined {
  if (!key || typeof key !== 'object' || !key.id || typeof key.id !== 'string' || !parseJid(key.remoteJid)) {
    return failed(DEAD_LETTER_CODES.malformedKey, 'key without id or a parseable remoteJid');
  }
  const ignored = ignoredChat(key.remoteJid);
  if (ignored) return skipped(ignored);
  if (isGroupJid(key.remoteJid) && !ctx.ingestGroups) return skipped('group-disabled');
  // The session's chat with itself ("message yourself", where the phone also syncs its own state).
  if (selfOf(ctx).keys.has(jidKey(parseJid(key.remoteJid)!))) return skipped('self-chat');
  return undefined;
}

/** WhatsApp did not exist before 2009; a time more than a day after we received the item is not its time. */
const EARLIEST_MS = Date.UTC(2009, 0, 1);
const LATEST_AHEAD_MS = 24 * 3600_000;

export interface ProviderTime {
  at: string;
  /** The provider's time was missing or absurd; `at` is `receivedAt`. */
  fallback: boolean;
}

/** A provider time in milliseconds, checked; `required` says whether its absence is itself a fallback. */
export function timeFromMs(ms: number | undefined, ctx: MapContext, required = true): ProviderTime {
  const latest = Date.parse(ctx.receivedAt) + LATEST_AHEAD_MS;
  if (ms !== undefined && ms >= EARLIEST_MS && ms <= latest) return { at: new Date(ms).toISOString(), fallback: false };
  return { at: ctx.receivedAt, fallback: required || ms !== undefined };
}

/** `messageTimestamp` (seconds). */
export function occurredAt(seconds: RawLong | null | undefined, ctx: MapContext, required = true): ProviderTime {
  const s = longToNumber(seconds);
  return timeFromMs(s === undefined ? undefined : s * 1000, ctx, required);
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

interface SelfSide extends ActorIdentities {
  /** `server:user` of the session's own PN and LID, never a customer's. */
  keys: ReadonlySet<string>;
}

const selves = new WeakMap<MapContext, SelfSide>();

/** The business's identities, worked out once per context. */
function selfOf(ctx: MapContext): SelfSide {
  let self = selves.get(ctx);
  if (!self) {
    const jids = [ctx.self?.id, ctx.self?.lid].map(parseJid).filter((j) => isPnJid(j) || isLidJid(j));
    self = { ...actorIdentities([ctx.self?.id, ctx.self?.lid]), keys: new Set(jids.map((j) => jidKey(j!))) };
    selves.set(ctx, self);
  }
  return self;
}

/** The customer side of a key: the group participant, or the chat partner in a DM. */
function customerOf(key: RawKey, ctx: MapContext): ActorIdentities {
  const jids = isGroupJid(key.remoteJid)
    ? [key.participant, key.participantAlt, key.participantPn, key.participantLid]
    : [key.remoteJid, key.remoteJidAlt, key.senderPn, key.senderLid];
  return actorIdentities(jids, { lidToPn: ctx.lidToPn, exclude: selfOf(ctx).keys });
}

export interface Parties {
  sender: Party;
  recipient?: Party;
  /** `phoneUnverified` / `identityFallback` for the identities named here. */
  flags: Flags;
}

const named = (displayName: string | null | undefined) =>
  typeof displayName === 'string' && displayName ? { displayName: displayName.slice(0, 256) } : {};

/**
 * Who wrote this and to whom. Inbound: the customer (group: the participant) to the business;
 * `fromMe`: the business to the customer, or to nobody in particular in a group. The business's
 * identities are the session's own PN and LID, so the unifier learns them as blocked values.
 */
export function parties(key: RawKey, ctx: MapContext, pushName?: string | null): Parties {
  const self = selfOf(ctx);
  const business: Party = { identities: self.identities };
  const group = isGroupJid(key.remoteJid);
  const customer = key.fromMe && group ? undefined : customerOf(key, ctx);
  const used = customer ? [self, customer] : [self];
  const flags: Flags = {
    ...(used.some((a) => a.phoneUnverified) ? { phoneUnverified: true } : {}),
    ...(used.some((a) => a.identityFallback) ? { identityFallback: true } : {}),
  };
  if (!key.fromMe) {
    const sender = { ...named(pushName), identities: customer!.identities };
    return { sender, ...(self.identities.length ? { recipient: business } : {}), flags };
  }
  return { sender: business, ...(customer ? { recipient: { identities: customer.identities } } : {}), flags };
}

/** Stable name of whoever acted (reactor), for state-event suffixes. */
export function actorRef(key: RawKey | null | undefined): string {
  if (!key || key.fromMe) return 'me';
  return normalizeJid(key.participant || key.remoteJid) ?? 'unknown';
}
