import { boundedEventTime, checkEventTime } from './event-time';
import { messageDataSchema, type Attachment } from './events/inbound-message';
import { FULL_TEXT_MAX_BYTES, MESSAGE_MAX_BYTES, TEXT_MAX_BYTES, jsonBytes } from './message-limits';
import { prefixByJsonBytes } from './prefix-by-json-bytes';
import { isStorableText } from './sanitize-text';
import { storableMessage } from './storable-message';

/*
 * The step every provider connector runs on each inbound event's `data` before it publishes
 * (docs/architecture.md#input-the-database-cannot-store-is-refused-or-repaired-at-the-edge).
 * connector-api may answer 400 or 413; a connector cannot, because the provider was already told
 * "OK" or the message already sits in the mailbox. So what the API refuses a connector keeps,
 * falls back and flags, and only an item that truly cannot become an event is refused here, for
 * the connector to dead-letter with its raw payload.
 */

/**
 * Why an item cannot become an event; a connector's dead-letter code is `<CONNECTOR>.<refusal>`
 * (`META.EXTERNAL_ID_NOT_STORABLE`), so the code names the field.
 */
export const STORABLE_INBOUND_REFUSALS = {
  externalId: 'EXTERNAL_ID_NOT_STORABLE',
  conversationRef: 'CONVERSATION_REF_NOT_STORABLE',
  accountId: 'ACCOUNT_ID_NOT_STORABLE',
  target: 'TARGET_NOT_STORABLE',
  /** A party whose every identity holds a NUL or an unpaired surrogate: nobody to attribute it to. */
  identity: 'IDENTITY_NOT_STORABLE',
  /** Another field the event cannot do without (channel, provider, direction, status, email Message-ID). */
  identifier: 'IDENTIFIER_NOT_STORABLE',
  /** Over MESSAGE_MAX_BYTES even with every text cut: more structure than one record holds. */
  tooLarge: 'MESSAGE_TOO_LARGE',
} as const;
export type StorableInboundRefusal = (typeof STORABLE_INBOUND_REFUSALS)[keyof typeof STORABLE_INBOUND_REFUSALS];

export interface StorableInboundOptions {
  /** Kanal's receive time: what an unusable `occurredAt` falls back to. */
  receivedAt: string | Date;
  /** The clock event times are bounded by (1970 … now + 1 day); the current time by default. */
  now?: Date;
  /**
   * Where the provider's whole original item is kept (email: the raw .eml in the blob store).
   * Appended to `attachments` whenever a text had to be cut, so the whole body stays reachable.
   */
  original?: Attachment;
}

export type StorableInbound<T> =
  | {
      ok: true;
      /** A copy, flags merged into `data.flags`: passes `exceededLimit` and has no storable issue. */
      data: T;
      /** A text was cut (`flags.textTruncated`): the caller may keep the original and pass it as `original`. */
      truncated: boolean;
    }
  | { ok: false; refusal: StorableInboundRefusal; field: string; message: string };

/** Flags this step sets, beside storableMessage's `textSanitized` / `bidiControls` and `dateFallback`. */
export const STORABLE_INBOUND_FLAGS = {
  /** `text`, `fullText` or a caption was cut to its cap (the original, when kept, is attached). */
  textTruncated: 'textTruncated',
  /** An optional identifier that cannot be stored was left out (a reply reference, a media URL, a metadata key). */
  identifierDropped: 'identifierDropped',
  /** Metadata entries or older References were left out to fit MESSAGE_MAX_BYTES. */
  messageTrimmed: 'messageTrimmed',
} as const;

type Json = Record<string, unknown>;
type Path = Array<string | number>;

// The contract's own character caps (zod counts UTF-16 units), read from it so they never drift.
const TEXT_MAX_UNITS = messageDataSchema.shape.text.unwrap().maxLength ?? 100_000;
const FULL_TEXT_MAX_UNITS = messageDataSchema.shape.fullText.unwrap().maxLength ?? 1_000_000;
/** messageDataSchema's `attachments` `.max(100)` (zod exposes no getter for an array's bound). */
const MAX_ATTACHMENTS = 100;

/** Fields without which there is no event: a NUL in one refuses the item (repairing an id could equal another). */
const REQUIRED: Array<[Path, StorableInboundRefusal]> = [
  [['externalId'], STORABLE_INBOUND_REFUSALS.externalId],
  [['conversationRef'], STORABLE_INBOUND_REFUSALS.conversationRef],
  [['accountId'], STORABLE_INBOUND_REFUSALS.accountId],
  [['target', 'externalId'], STORABLE_INBOUND_REFUSALS.target],
  [['channel'], STORABLE_INBOUND_REFUSALS.identifier],
  [['provider'], STORABLE_INBOUND_REFUSALS.identifier],
  [['direction'], STORABLE_INBOUND_REFUSALS.identifier],
  [['status'], STORABLE_INBOUND_REFUSALS.identifier],
  [['email', 'messageId'], STORABLE_INBOUND_REFUSALS.identifier],
];

/** Optional objects that mean nothing without the id that failed: left out whole. */
const WHOLE_WHEN_ID_FAILS: Record<string, string> = { replyTo: 'externalId', interactive: 'id', group: 'id' };

const PARTIES = ['sender', 'recipient'] as const;

/**
 * One inbound event's `data` → what may be published (docs/architecture.md#input-the-database-cannot-store-is-refused-or-repaired-at-the-edge):
 * - texts and names cleaned by storableMessage (`textSanitized`, `bidiControls`);
 * - `occurredAt` outside 1970 … now + 1 day (or unreadable) → `receivedAt`, `dateFallback`;
 * - an identity that cannot be stored is left out (`identityFallback`) while its party keeps
 *   another one; an optional identifier is left out (`identifierDropped`); an id the event needs
 *   (externalId, conversationRef, accountId, target, a party's last identity) refuses the item;
 * - `fullText` cut to FULL_TEXT_MAX_BYTES, `text` to TEXT_MAX_BYTES (and the contract's character
 *   caps), on a grapheme or at least code point boundary (`textTruncated`); then, while the whole
 *   is over MESSAGE_MAX_BYTES, `fullText`, captions, `text`, then metadata and older References
 *   give way (`messageTrimmed`); what still does not fit is refused.
 * Never throws and never mutates `data`; the result passes `exceededLimit(data, '')` and has no
 * `storableMessage(data).issues`. Run it on the data before building the event (the event's
 * `time` is `occurredAt`).
 */
export function toStorableInbound<T extends object>(input: T, options: StorableInboundOptions): StorableInbound<T> {
  const now = options.now ?? new Date();
  const cleaned = storableMessage(input);
  let data = cleaned.data as Json;
  const flags: Record<string, true> = { ...cleaned.flags };

  const fallback = fallbackTime(options.receivedAt, now);
  const time = boundedEventTime(typeof data['occurredAt'] === 'string' ? data['occurredAt'] : undefined, fallback, now);
  data['occurredAt'] = time.value;
  if (time.fallback) flags['dateFallback'] = true;
  if (typeof data['receivedAt'] !== 'string' || !checkEventTime(data['receivedAt'], now).ok)
    data['receivedAt'] = fallback;

  const pruned = pruneIdentifiers(data, flags);
  if ('refusal' in pruned) return { ok: false, ...pruned.refusal };
  data = pruned.data;

  cutField(data, 'fullText', FULL_TEXT_MAX_BYTES, FULL_TEXT_MAX_UNITS, flags);
  cutField(data, 'text', TEXT_MAX_BYTES, TEXT_MAX_UNITS, flags);
  // The flags count towards the total too: merged before every measurement.
  const given = data['flags'] as Json | undefined;
  const withFlags = () => {
    if (Object.keys(flags).length > 0) data['flags'] = { ...given, ...flags };
    return data;
  };
  let fits = shrinkToTotal(withFlags, flags);
  const truncated = Boolean(flags['textTruncated'] || given?.['textTruncated']);
  if (truncated && options.original && attachOriginal(data, options.original)) fits = shrinkToTotal(withFlags, flags);
  if (!fits) {
    return {
      ok: false,
      refusal: STORABLE_INBOUND_REFUSALS.tooLarge,
      field: '(root)',
      message: `the message is ${jsonBytes(data)} bytes of JSON with every text cut, over the ${MESSAGE_MAX_BYTES} cap`,
    };
  }
  return { ok: true, data: withFlags() as T, truncated: Boolean(flags['textTruncated'] || given?.['textTruncated']) };
}

/** The receive time as an event time; a receive time outside the bounds itself (a bad replay) gives way to now. */
function fallbackTime(receivedAt: string | Date, now: Date): string {
  const iso =
    typeof receivedAt === 'string' ? receivedAt : Number.isNaN(receivedAt.getTime()) ? '' : receivedAt.toISOString();
  const checked = checkEventTime(iso, now);
  return checked.ok ? checked.value : now.toISOString();
}

const keyOf = (path: Path) => JSON.stringify(path);
const samePath = (a: Path, b: Path) => a.length === b.length && a.every((p, i) => p === b[i]);

/** Paths of every string and key that cannot be stored (texts are already clean: these are identifiers). */
function unstorable(value: unknown, path: Path, out: Path[]): Path[] {
  if (typeof value === 'string') {
    if (!isStorableText(value)) out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unstorable(item, [...path, i], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (!isStorableText(key)) out.push([...path, key]);
      else unstorable(child, [...path, key], out);
    }
  }
  return out;
}

type Refusal = { refusal: StorableInboundRefusal; field: string; message: string };

function pruneIdentifiers(data: Json, flags: Record<string, true>): { data: Json } | { refusal: Refusal } {
  const paths = unstorable(data, [], []);
  if (paths.length === 0) return { data };
  const removed = new Set<string>();
  const droppedIdentities = { sender: 0, recipient: 0 };
  for (const path of paths) {
    const required = REQUIRED.find(([p]) => samePath(p, path));
    if (required) return { refusal: refusal(required[1], path.join('.')) };
    const [head, second, third] = path;
    const side = PARTIES.find((p) => p === head);
    if (side && second === 'identities' && typeof third === 'number') {
      if (!removed.has(keyOf([side, 'identities', third]))) droppedIdentities[side]++;
      removed.add(keyOf([side, 'identities', third]));
      continue;
    }
    const id = typeof head === 'string' ? WHOLE_WHEN_ID_FAILS[head] : undefined;
    removed.add(keyOf(id !== undefined && second === id ? [head!] : path));
    flags['identifierDropped'] = true;
  }
  for (const side of PARTIES) {
    if (droppedIdentities[side] === 0) continue;
    const identities = (data[side] as { identities?: unknown[] } | undefined)?.identities ?? [];
    if (identities.length <= droppedIdentities[side]) {
      return { refusal: refusal(STORABLE_INBOUND_REFUSALS.identity, `${side}.identities`) };
    }
    flags['identityFallback'] = true;
  }
  return { data: prune(data, [], removed) as Json };
}

function refusal(code: StorableInboundRefusal, field: string): Refusal {
  // The field is one of the fixed paths above: no personal data, always storable.
  return { refusal: code, field, message: `${field} holds a NUL character or an unpaired UTF-16 surrogate` };
}

function prune(value: unknown, path: Path, removed: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => (removed.has(keyOf([...path, i])) ? [] : [prune(item, [...path, i], removed)]));
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    if (!removed.has(keyOf([...path, key]))) out[key] = prune(child, [...path, key], removed);
  }
  return out;
}

/** Cuts `data[field]` to its caps; flags `textTruncated` when it had to. */
function cutField(data: Json, field: string, maxBytes: number, maxUnits: number, flags: Record<string, true>): void {
  const value = data[field];
  if (typeof value !== 'string') return;
  const cut = prefixByJsonBytes(value, maxBytes, maxUnits);
  if (cut === value) return;
  data[field] = cut;
  flags['textTruncated'] = true;
}

/** Appends the original once (a second pass over its own output finds it by blobRef). */
function attachOriginal(data: Json, original: Attachment): boolean {
  const attachments = data['attachments'];
  if (attachments !== undefined && !Array.isArray(attachments)) return false;
  const list = (attachments ?? []) as Attachment[];
  if (original.blobRef && list.some((a) => a.blobRef === original.blobRef && a.name === original.name)) return false;
  // At the contract's cap the last description gives way: the original holds every part anyway.
  data['attachments'] = [...list.slice(0, MAX_ATTACHMENTS - 1), original];
  return true;
}

/**
 * While the whole is over MESSAGE_MAX_BYTES: texts are cut by the excess, in the order of
 * shrinkableTexts (a cut text is still its own prefix), then metadata entries and References
 * between the first and the newest go. False when even that is not enough.
 */
function shrinkToTotal(withFlags: () => Json, flags: Record<string, true>): boolean {
  const data = withFlags();
  const over = () => jsonBytes(withFlags()) - MESSAGE_MAX_BYTES;
  if (over() <= 0) return true;
  for (const text of shrinkableTexts(data)) {
    const excess = over();
    if (excess <= 0) return true;
    const value = text.get();
    text.set(prefixByJsonBytes(value, Math.max(0, jsonBytes(value) - excess)));
    flags['textTruncated'] = true;
  }
  if (over() <= 0) return true;
  const metadata = data['metadata'];
  if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) {
    const entries = Object.entries(metadata as Json)
      .map(([key, value]) => ({ key, bytes: jsonBytes({ [key]: value }) - 1 })) // `{}` less the comma
      .sort((a, b) => b.bytes - a.bytes);
    const kept = { ...(metadata as Json) };
    // Counted, not re-serialized per entry (there may be thousands); checked for real below.
    let excess = over();
    for (const { key, bytes } of entries) {
      if (excess <= 0 && over() <= 0) break;
      delete kept[key];
      data['metadata'] = kept;
      excess -= bytes;
      flags['messageTrimmed'] = true;
    }
    if (Object.keys(kept).length === 0) delete data['metadata'];
  }
  const email = data['email'] as { references?: unknown } | undefined;
  for (const keep of [20, 1]) {
    if (over() <= 0 || !Array.isArray(email?.references) || email.references.length <= keep + 1) continue;
    // The first names the thread's root, the last ones the nearest parents: the middle goes first.
    email.references = [email.references[0], ...email.references.slice(-keep)];
    flags['messageTrimmed'] = true;
  }
  return over() <= 0;
}

interface TextSlot {
  get(): string;
  /** '' leaves an optional text out; `text` stays (an edit requires it). */
  set(value: string): void;
}

/**
 * In the order they give way: `fullText` (the whole body, kept elsewhere when the connector keeps
 * an original), then attachment captions, largest first, and `text`, what the customer wrote this
 * time, last.
 */
function shrinkableTexts(data: Json): TextSlot[] {
  const slots: Array<TextSlot & { size: number }> = [];
  const slot = (owner: Json, key: string, keepEmpty: boolean) => {
    const value = owner[key];
    if (typeof value !== 'string' || value === '') return;
    slots.push({
      size: jsonBytes(value),
      get: () => owner[key] as string,
      set: (next) => {
        if (next === '' && !keepEmpty) delete owner[key];
        else owner[key] = next;
      },
    });
  };
  const attachments = data['attachments'];
  if (Array.isArray(attachments)) {
    for (const a of attachments) if (a !== null && typeof a === 'object') slot(a as Json, 'caption', false);
  }
  slots.sort((a, b) => b.size - a.size);
  const captions = slots.splice(0);
  slot(data, 'fullText', false);
  slots.push(...captions);
  slot(data, 'text', true);
  return slots;
}
