import { buildInboundEvent, type MessageStatusData } from '@kanal/contracts';
import { EVENT_SOURCE, envelope, parties, type MapContext, type MapResult } from './map-context';
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
  occurredAt: string;
  pushName?: string | null;
}

function base(input: StateInput, ctx: MapContext) {
  return {
    ...envelope(input.chatKey, ctx, input.targetId, input.occurredAt),
    ...parties(input.chatKey, ctx, input.pushName),
    target: { externalId: input.targetId },
  };
}

const ok = (event: Extract<MapResult, { kind: 'event' }>['event']): MapResult => ({ kind: 'event', event, mediaIndexes: [] });

export function deletedEvent(input: StateInput, ctx: MapContext): MapResult {
  return ok(buildInboundEvent('kanal.message.deleted.v1', base(input, ctx), { source: EVENT_SOURCE, idSuffix: 'deleted' }));
}

/** `editSeconds` is the edit's own time in seconds, the one value both delivery paths share. */
export function editedEvent(input: StateInput, text: string, editSeconds: number, ctx: MapContext): MapResult {
  return ok(
    buildInboundEvent(
      'kanal.message.edited.v1',
      { ...base(input, ctx), text: text.slice(0, 100_000) },
      { source: EVENT_SOURCE, idSuffix: `edit:${editSeconds}` },
    ),
  );
}

export function reactionEvent(
  input: StateInput,
  emoji: string | null | undefined,
  actor: string,
  senderMs: number,
  ctx: MapContext,
): MapResult {
  return ok(
    buildInboundEvent(
      'kanal.reaction.changed.v1',
      { ...base(input, ctx), ...(emoji ? { emoji } : {}) },
      { source: EVENT_SOURCE, idSuffix: `reaction:${actor}:${senderMs}` },
    ),
  );
}

export function statusEvent(input: StateInput, status: MessageStatusData['status'], ctx: MapContext): MapResult {
  return ok(
    buildInboundEvent('kanal.message.status.v1', { ...base(input, ctx), status }, { source: EVENT_SOURCE, idSuffix: `status:${status}` }),
  );
}
