import { buildInboundEvent, type Flags, type MessageStatusData } from '@kanal/contracts';
import { EVENT_SOURCE, envelope, parties, type MapContext, type ProviderTime } from './map-context';
import { eventResult, type MapResult } from './map-result';
import type { RawKey } from './raw-message';

/**
 * State changes on an earlier message. Baileys delivers each twice (as an upsert and again as
 * `messages.update` / `messages.reaction`); both paths build the event here from the same inputs
 * (target id + a suffix), so they get the same id and the dedup store publishes the first one only.
 * `externalId` is therefore the target's `key.id`.
 */
export interface StateInput {
  /** Key of the chat as seen by us (remoteJid, fromMe, participant of the actor). */
  chatKey: RawKey;
  targetId: string;
  time: ProviderTime;
  pushName?: string | null;
}

function base(input: StateInput, ctx: MapContext) {
  const { flags, ...who } = parties(input.chatKey, ctx, input.pushName);
  const all: Flags = { ...flags, ...(input.time.fallback ? { dateFallback: true } : {}) };
  return {
    ...envelope(input.chatKey, ctx, input.targetId.slice(0, 1_024), input.time.at),
    ...who,
    target: { externalId: input.targetId.slice(0, 1_024) },
    ...(Object.keys(all).length ? { flags: all } : {}),
  };
}

export function deletedEvent(input: StateInput, ctx: MapContext): MapResult {
  return eventResult(
    buildInboundEvent('kanal.message.deleted.v1', base(input, ctx), { source: EVENT_SOURCE, idSuffix: 'deleted' }),
  );
}

/** `editSeconds` is the edit's own time in seconds, the one value both delivery paths share. */
export function editedEvent(input: StateInput, text: string, editSeconds: number, ctx: MapContext): MapResult {
  return eventResult(
    buildInboundEvent(
      'kanal.message.edited.v1',
      // Cut to the contract's caps (and flagged) by toStorableInbound in `guarded`, never mid-character.
      { ...base(input, ctx), text },
      { source: EVENT_SOURCE, idSuffix: `edit:${editSeconds}` },
    ),
  );
}

export function reactionEvent(
  input: StateInput,
  emoji: unknown,
  actor: string,
  senderMs: number,
  ctx: MapContext,
): MapResult {
  const kept = typeof emoji === 'string' && emoji ? { emoji: emoji.slice(0, 64) } : {};
  return eventResult(
    buildInboundEvent(
      'kanal.reaction.changed.v1',
      { ...base(input, ctx), ...kept },
      { source: EVENT_SOURCE, idSuffix: `reaction:${actor}:${senderMs}` },
    ),
  );
}

export function statusEvent(input: StateInput, status: MessageStatusData['status'], ctx: MapContext): MapResult {
  return eventResult(
    buildInboundEvent(
      'kanal.message.status.v1',
      { ...base(input, ctx), status },
      { source: EVENT_SOURCE, idSuffix: `status:${status}` },
    ),
  );
}
