import type { RawSessionUser } from './raw-message';

/** The session an item arrived on, recorded in a dead letter so a replay attributes it the same way. */
export interface SessionContext {
  id: string;
  user?: RawSessionUser;
}

const MAX_DEPTH = 64;

/**
 * A live Baileys value as plain JSON that the mapper reads exactly as it reads the live value:
 * bytes (`Uint8Array`, `Buffer`) become base64 as in protobuf JSON, a `Long` its own
 * `{low, high, unsigned}`, non-finite numbers the strings protobuf JSON writes. Only own fields
 * are walked (unset protobuf fields live on the prototype as `null`, which the mapper treats as
 * absent), and no `toJSON` is trusted: a protobuf instance's would drop the 7.x key fields
 * (`remoteJidAlt`, `participantAlt`, `addressingMode`) that are not in WAProto. Serialising the
 * parsed result again gives the same bytes, so a letter's id is stable across replays.
 */
export function toPlainJson(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH || seen.has(value)) return null;
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => toPlainJson(v, depth + 1, seen) ?? null);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = toPlainJson((value as Record<string, unknown>)[key], depth + 1, seen);
      if (v !== undefined) out[key] = v;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

const sessionJson = (session: SessionContext) => ({
  id: session.id,
  ...(session.user && (session.user.id || session.user.lid)
    ? {
        user: {
          ...(session.user.id ? { id: session.user.id } : {}),
          ...(session.user.lid ? { lid: session.user.lid } : {}),
        },
      }
    : {}),
});

/**
 * A `messages.upsert` holding only `message` (plus the session), as `kanal normalize whatsapp-web`
 * reads it. The delivery's `type` and `requestId` are left out: they do not change the mapping, and
 * the same item delivered again as `append` (catch-up after a restart) must be the same letter.
 */
export function upsertItemPayload(message: unknown, session: SessionContext): string {
  return JSON.stringify({ messages: [toPlainJson(message) ?? null], session: sessionJson(session) });
}

/** A Baileys event map (`sock.ev.process`) holding one `messages.update` / `messages.reaction` item. */
export function eventItemPayload(
  event: 'messages.update' | 'messages.reaction',
  item: unknown,
  session: SessionContext,
): string {
  return JSON.stringify({ [event]: [toPlainJson(item) ?? null], session: sessionJson(session) });
}

/** A whole payload Baileys should never emit (no `messages` array): kept as it came. */
export function wholePayload(event: string, payload: unknown, session: SessionContext): string {
  return JSON.stringify({ [event]: toPlainJson(payload) ?? null, session: sessionJson(session) });
}
