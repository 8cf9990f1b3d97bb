import { IdentityError, normalizeIdentityValue, normalizeProviderPhone, type Identity } from '@kanal/contracts';

export interface Jid {
  user: string;
  server: string;
}

/** `user[_agent][:device]@server` → `{user, server}`, with hosted domains folded into the normal ones. */
export function parseJid(jid: string | null | undefined): Jid | undefined {
  if (!jid || typeof jid !== 'string') return undefined;
  const at = jid.indexOf('@');
  if (at <= 0) return undefined;
  const user = jid.slice(0, at).split(':')[0]!.split('_')[0]!;
  let server = jid.slice(at + 1);
  if (server === 'hosted') server = 's.whatsapp.net';
  if (server === 'hosted.lid') server = 'lid';
  if (server === 'c.us') server = 's.whatsapp.net';
  return user ? { user, server } : undefined;
}

/** A JID without device or agent suffix (`905…:12@s.whatsapp.net` → `905…@s.whatsapp.net`). */
export function normalizeJid(jid: string | null | undefined): string | undefined {
  const j = parseJid(jid);
  return j ? `${j.user}@${j.server}` : undefined;
}

export const isPnJid = (j: Jid | undefined): j is Jid => j?.server === 's.whatsapp.net';
export const isLidJid = (j: Jid | undefined): j is Jid => j?.server === 'lid';
export const isGroupJid = (jid: string | null | undefined) => parseJid(jid)?.server === 'g.us';

/** Status updates, broadcast lists and channels are not customer conversations. */
export function ignoredChat(
  jid: string | null | undefined,
): 'status-broadcast' | 'broadcast' | 'newsletter' | undefined {
  const j = parseJid(jid);
  if (!j) return undefined;
  if (j.server === 'broadcast') return j.user === 'status' ? 'status-broadcast' : 'broadcast';
  if (j.server === 'newsletter') return 'newsletter';
  return undefined;
}

/** LID (`123@lid`) → PN JID or digits, from the session's LID mapping store (only pairs already seen). */
export type LidLookup = (lid: string) => string | undefined;

export interface IdentityOptions {
  lidToPn?: LidLookup;
  /** JIDs that are not this actor's (the session's own PN and LID), by `server:user`. */
  exclude?: ReadonlySet<string>;
}

export interface ActorIdentities {
  identities: Identity[];
  /** A provider-verified number libphonenumber calls invalid (kept as `+<digits>`). */
  phoneUnverified: boolean;
  /** A JID WhatsApp gave could not become an identity (not a plausible number, not a LID). */
  identityFallback: boolean;
}

export const jidKey = (j: Jid) => `${j.server}:${j.user}`;

/**
 * Identities of one actor. The phone comes only from a PN JID (the actor itself, its `*Alt`, or
 * 6.x `*Pn`) or from the LID mapping store; a LID never becomes a phone. WhatsApp has verified the
 * number, so it is the `phone` identity whenever it is plausible, whatever libphonenumber's
 * metadata says (`phoneUnverified` then). When both are known both are returned, so the unifier
 * links them.
 */
export function actorIdentities(
  jids: Array<string | null | undefined>,
  options: IdentityOptions = {},
): ActorIdentities {
  const parsed = jids.map(parseJid).filter((j): j is Jid => j !== undefined && !options.exclude?.has(jidKey(j)));
  const lid = parsed.find(isLidJid);
  let pn = parsed.find(isPnJid)?.user;
  if (!pn && lid && options.lidToPn) {
    const mapped = options.lidToPn(`${lid.user}@lid`);
    const mappedJid = parseJid(mapped);
    pn = isPnJid(mappedJid) ? mappedJid.user : mapped && /^\d+$/.test(mapped) ? mapped : undefined;
  }
  const out: ActorIdentities = { identities: [], phoneUnverified: false, identityFallback: false };
  if (pn) {
    const phone = attempt(() => normalizeProviderPhone(pn));
    if (phone) {
      out.identities.push({ type: 'phone', value: phone.value });
      out.phoneUnverified = !phone.valid;
    } else out.identityFallback = true;
  }
  if (lid) {
    const value = attempt(() => normalizeIdentityValue('whatsapp-lid', lid.user));
    if (value) out.identities.push({ type: 'whatsapp-lid', value });
    else out.identityFallback = true;
  }
  return out;
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    // Not an identifier at all (`0@s.whatsapp.net`, `abc@lid`): the message is kept without it.
    if (error instanceof IdentityError) return undefined;
    throw error;
  }
}
