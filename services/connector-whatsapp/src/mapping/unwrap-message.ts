import type { RawContent } from './raw-message';

/** Wrappers whose `.message` holds the real content (Baileys' `normalizeMessageContent`). */
const WRAPPERS = [
  'ephemeralMessage',
  'viewOnceMessage',
  'viewOnceMessageV2',
  'viewOnceMessageV2Extension',
  'documentWithCaptionMessage',
  'editedMessage',
  'associatedChildMessage',
  'groupStatusMessage',
  'groupStatusMessageV2',
] as const;

const VIEW_ONCE = new Set(['viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension']);

export interface Unwrapped {
  content: RawContent | undefined;
  viewOnce: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Peels up to five wrapper levels, as Baileys does, remembering whether one was view-once. A
 * wrapper whose inner message is missing or empty leaves `{}`: its content was of a type this
 * Baileys build cannot decode (protobuf drops unknown fields), which is unsupported content, not none.
 */
export function unwrapMessage(message: RawContent | null | undefined): Unwrapped {
  if (!isObject(message)) return { content: undefined, viewOnce: false };
  let content: RawContent = message;
  let viewOnce = false;
  for (let depth = 0; depth < 5; depth++) {
    const wrapper = WRAPPERS.find((w) => isObject(content[w]));
    if (!wrapper) break;
    if (VIEW_ONCE.has(wrapper)) viewOnce = true;
    const inner = (content[wrapper] as { message?: unknown }).message;
    content = isObject(inner) ? (inner as RawContent) : {};
  }
  return { content, viewOnce };
}

/** Keys that ride along with real content and never are the content. */
const COMPANIONS = new Set(['senderKeyDistributionMessage', 'messageContextInfo']);

/**
 * The content type, like Baileys' `getContentType`: the first key naming a `…Message` (or
 * `conversation`), skipping the companions above.
 */
export function contentType(content: RawContent | undefined): string | undefined {
  if (!content) return undefined;
  if (content.conversation) return 'conversation';
  return Object.keys(content).find(
    (k) =>
      !COMPANIONS.has(k) &&
      (k.includes('Message') || k === 'conversation') &&
      content[k] !== null &&
      content[k] !== undefined,
  );
}

/** Keys of `content` that are set (live protobuf objects carry unset fields as `null`). */
export const presentKeys = (content: RawContent) =>
  Object.keys(content).filter((k) => content[k] !== null && content[k] !== undefined);
