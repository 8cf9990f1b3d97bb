import type { SkipReason } from './map-result';
import type { RawContent } from './raw-message';
import { PROTOCOL_TYPES } from './raw-values';
import { contentType, presentKeys } from './unwrap-message';

const SENDER_KEYS = new Set(['senderKeyDistributionMessage', 'fastRatchetKeySenderKeyDistributionMessage']);
const HISTORY = new Set(['messageHistoryNotice', 'messageHistoryBundle']);

/**
 * Content types that are state or signalling, not something a person wrote: a vote, an RSVP or a
 * reaction encrypted with a secret only the poll's/event's sender keeps (the connector stores no
 * messages, and Baileys 7 does not decrypt votes), "keep" and "pin" marks on earlier messages.
 */
const STATE_TYPES: Record<string, SkipReason> = {
  pollUpdateMessage: 'poll-vote',
  encEventResponseMessage: 'event-response',
  encReactionMessage: 'encrypted-reaction',
  keepInChatMessage: 'keep-in-chat',
  pinInChatMessage: 'pin-in-chat',
};

/** Why unwrapped content is by design not a message, or undefined when it is one (or unknown content). */
export function nonMessageReason(content: RawContent): SkipReason | undefined {
  const keys = presentKeys(content).filter((k) => k !== 'messageContextInfo');
  // Sender keys for a group travel alone when the device has nothing else to say.
  if (keys.length && keys.every((k) => SENDER_KEYS.has(k))) return 'sender-key-distribution';
  if (keys.some((k) => HISTORY.has(k)) && keys.every((k) => HISTORY.has(k) || SENDER_KEYS.has(k))) {
    return 'history-notice';
  }
  const type = contentType(content);
  return type && Object.hasOwn(STATE_TYPES, type) ? STATE_TYPES[type] : undefined;
}

const PROTOCOL_NAMES = new Map<number, string>(Object.entries(PROTOCOL_TYPES).map(([name, n]) => [n, name]));

/**
 * Skip reason of a protocol message that is neither a revoke nor an edit: history-sync and
 * app-state notifications, key shares, disappearing-message settings, welcome requests, …
 * (`protocol-history-sync-notification`). Their effects live in Baileys' own state.
 */
export function protocolSkipReason(type: number | undefined): SkipReason {
  const name = type === undefined ? undefined : PROTOCOL_NAMES.get(type);
  return name ? `protocol-${name.toLowerCase().replaceAll('_', '-')}` : 'protocol-other';
}
