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

/** Peels up to five wrapper levels, as Baileys does, remembering whether one was view-once. */
export function unwrapMessage(message: RawContent | null | undefined): Unwrapped {
  let content = message ?? undefined;
  let viewOnce = false;
  for (let depth = 0; content && depth < 5; depth++) {
    const wrapper = WRAPPERS.find((w) => content?.[w]);
    if (!wrapper) break;
    if (VIEW_ONCE.has(wrapper)) viewOnce = true;
    content = (content[wrapper] as { message?: RawContent | null }).message ?? undefined;
  }
  return { content, viewOnce };
}

/**
 * The first `…Message` key, like Baileys' `getContentType`; `senderKeyDistributionMessage` and
 * `messageContextInfo` ride along with real content and never are the content.
 */
export function contentType(content: RawContent | undefined): string | undefined {
  if (!content) return undefined;
  if (content.conversation) return 'conversation';
  return Object.keys(content).find(
    (k) =>
      k !== 'senderKeyDistributionMessage' &&
      k !== 'messageContextInfo' &&
      (k.endsWith('Message') || k === 'conversation') &&
      content[k] !== null &&
      content[k] !== undefined,
  );
}
