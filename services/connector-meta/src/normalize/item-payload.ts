/**
 * The raw minimal payload of a dead letter: the webhook body reduced to one entry, one change or
 * messaging list, and one item, built from the parsed provider JSON (never from what a schema
 * made of it), so the connector's own normalizer maps it exactly as it would have mapped the item
 * inside the whole delivery. Everything beside the item (envelope fields, `metadata`,
 * `messaging_product`, `time`) is kept.
 */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutKeys(value: Json, keys: readonly string[]): Json {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

/** The body with only `entry` (itself given) left of its item lists. */
function bodyWith(body: Json, entry: unknown): string {
  return JSON.stringify({ ...withoutKeys(body, ['entry']), entry: [entry] });
}

/** One whole entry, for an entry that is not shaped like one. */
export function entryPayload(body: Json, entry: unknown): string {
  return bodyWith(body, entry);
}

/** One whole change of a WhatsApp entry (an unknown field, a value without metadata). */
export function changePayload(body: Json, entry: Json, change: unknown): string {
  return bodyWith(body, { ...withoutKeys(entry, ['changes']), changes: [change] });
}

/**
 * One item of a WhatsApp change value: every array of the value (messages, statuses, contacts,
 * errors, ...) is replaced by `part`, e.g. `{contacts: [the sender's], messages: [the message]}`.
 */
export function valueItemPayload(
  body: Json,
  entry: Json,
  change: Json,
  value: Json,
  part: Record<string, unknown[]>,
): string {
  const scalars = Object.fromEntries(Object.entries(value).filter(([, v]) => !Array.isArray(v)));
  const reduced = { ...withoutKeys(change, ['value']), value: { ...scalars, ...part } };
  return changePayload(body, entry, reduced);
}

export const SOCIAL_LISTS = ['messaging', 'standby', 'changes'] as const;
export type SocialList = (typeof SOCIAL_LISTS)[number];

/** One item of an Instagram/Messenger entry's `messaging`, `standby` or `changes` list. */
export function socialItemPayload(body: Json, entry: Json, list: SocialList, item: unknown): string {
  return bodyWith(body, { ...withoutKeys(entry, SOCIAL_LISTS), [list]: [item] });
}
