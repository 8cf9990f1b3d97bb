import type { MessageData } from './events/inbound-message';

/*
 * Size caps, in bytes of JSON-encoded UTF-8 — what the broker counts, not characters: a quote
 * takes two bytes once escaped, a control character six. They are set so every event downstream
 * of an accepted message fits MAX_RECORD_BYTES (1,000,000): the unifier's
 * `kanal.customer.message.v1` repeats the whole message plus the customer summary, the
 * conversation and five recent texts of up to 281 characters (≤ ~10 KB together), which leaves
 * ~200 KB for the customer's identities and attributes. A message at MESSAGE_MAX_BYTES is
 * therefore unified and routed, never dead-lettered for its size. connector-api refuses a message
 * over a cap with 413; a connector, which cannot refuse what a provider already delivered, moves
 * the body to the blob store or dead-letters it.
 */
export const FULL_TEXT_MAX_BYTES = 512 * 1024;
export const TEXT_MAX_BYTES = 128 * 1024;
export const MESSAGE_MAX_BYTES = 768 * 1024;

export interface MessageTooLarge {
  /** `fullText`, `[3].text`, or the message itself (`(root)`, `[3]`) when only the total is over. */
  field: string;
  limit: number;
  size: number;
  code: 'API.FIELD_TOO_LARGE' | 'API.MESSAGE_TOO_LARGE';
}

/** Bytes of a value as JSON (strings without their two quotes). */
export function jsonBytes(value: unknown): number {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  return typeof value === 'string' ? bytes - 2 : bytes;
}

/** The first cap the message exceeds, or undefined; `prefix` is its position in a batch (`[3]`). */
export function exceededLimit(data: MessageData, prefix: string): MessageTooLarge | undefined {
  const path = (field: string) => [prefix, field].filter(Boolean).join('.');
  for (const [field, limit] of [
    ['fullText', FULL_TEXT_MAX_BYTES],
    ['text', TEXT_MAX_BYTES],
  ] as const) {
    const value = data[field];
    if (value === undefined) continue;
    const size = jsonBytes(value);
    if (size > limit) return { field: path(field), limit, size, code: 'API.FIELD_TOO_LARGE' };
  }
  const size = jsonBytes(data);
  if (size > MESSAGE_MAX_BYTES)
    return { field: prefix || '(root)', limit: MESSAGE_MAX_BYTES, size, code: 'API.MESSAGE_TOO_LARGE' };
  return undefined;
}
