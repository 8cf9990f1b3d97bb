import { inboundKey, type KanalEvent, type ProviderDeadLetterInput } from '@kanal/contracts';
import { eventItemPayload, upsertItemPayload, wholePayload, type SessionContext } from './dead-letter-payload';
import { normalizeJid } from './jid-identity';
import { EVENT_SOURCE, type MapContext } from './map-context';
import { DEAD_LETTER_CODES, failed, type MapResult } from './map-result';
import type { RawMessageUpdate, RawReaction, RawUpsert, RawWaMessage } from './raw-message';
import { toInboundEvent } from './to-inbound-events';
import { toReactionEvent, toUpdateEvent } from './to-update-events';

export type LetterInput = Omit<ProviderDeadLetterInput, 'blobRef'>;

/** One Baileys item and what it became; a failed item carries the dead letter to publish. */
export interface Outcome {
  result: MapResult;
  /** The upserted message, for media downloads bound to the live socket. */
  raw?: RawWaMessage;
  letter?: LetterInput;
}

const session = (ctx: MapContext): SessionContext => ({ id: ctx.accountId, ...(ctx.self ? { user: ctx.self } : {}) });

function letter(
  result: MapResult,
  ctx: MapContext,
  payload: string,
  item: string,
  chat: unknown,
): LetterInput | undefined {
  if (result.kind !== 'failed') return undefined;
  const conversationRef = typeof chat === 'string' ? normalizeJid(chat) : undefined;
  return {
    source: EVENT_SOURCE,
    provider: 'whatsapp-web',
    channel: 'whatsapp',
    accountId: ctx.accountId,
    code: result.code,
    message: result.message,
    payload,
    contentType: 'application/json',
    receivedAt: ctx.receivedAt,
    item: item.slice(0, 256),
    ...(conversationRef ? { key: inboundKey({ channel: 'whatsapp', accountId: ctx.accountId, conversationRef }) } : {}),
  };
}

const idOf = (item: unknown) => {
  const id = (item as { key?: { id?: unknown } } | null)?.key?.id;
  return typeof id === 'string' ? ` ${id.slice(0, 128)}` : '';
};
const chatOf = (item: unknown) => (item as { key?: { remoteJid?: unknown } } | null)?.key?.remoteJid;

function malformedPayload(event: string, payload: unknown, ctx: MapContext): Outcome[] {
  const result = failed(DEAD_LETTER_CODES.malformedPayload, `${event} payload without an items array`);
  return [{ result, letter: letter(result, ctx, wholePayload(event, payload, session(ctx)), event, undefined) }];
}

/**
 * A `messages.upsert` (`notify` or `append`), item by item. The service and `kanal normalize`
 * both run this, so a letter's payload re-runs to the same outcome.
 */
export function mapUpsert(payload: RawUpsert, ctx: MapContext): Outcome[] {
  if (!Array.isArray(payload?.messages)) return malformedPayload('messages.upsert', payload, ctx);
  const type = typeof payload.type === 'string' ? payload.type.slice(0, 32) : 'unknown';
  return payload.messages.map((raw, index) => {
    const result = toInboundEvent(raw, ctx);
    const item = `messages.upsert ${type} messages[${index}]${idOf(raw)}`;
    const outcome: Outcome = { result, raw };
    if (result.kind === 'failed')
      outcome.letter = letter(result, ctx, upsertItemPayload(raw, session(ctx)), item, chatOf(raw));
    return outcome;
  });
}

export function mapUpdates(items: RawMessageUpdate[], ctx: MapContext): Outcome[] {
  return mapEach('messages.update', items, ctx, toUpdateEvent);
}

export function mapReactions(items: RawReaction[], ctx: MapContext): Outcome[] {
  return mapEach('messages.reaction', items, ctx, toReactionEvent);
}

function mapEach<T>(
  event: 'messages.update' | 'messages.reaction',
  items: T[],
  ctx: MapContext,
  map: (item: T, ctx: MapContext) => MapResult,
): Outcome[] {
  if (!Array.isArray(items)) return malformedPayload(event, items, ctx);
  return items.map((raw, index) => {
    const result = map(raw, ctx);
    if (result.kind !== 'failed') return { result };
    return {
      result,
      letter: letter(
        result,
        ctx,
        eventItemPayload(event, raw, session(ctx)),
        `${event}[${index}]${idOf(raw)}`,
        chatOf(raw),
      ),
    };
  });
}

export interface Publishable {
  event: KanalEvent;
  mediaIndexes: number[];
  raw?: RawWaMessage;
}

/**
 * The records to publish, in item order: events and dead letters. `toLetter` builds a letter's
 * event (the service stores large payloads in its blob store; the CLI keeps them inline).
 */
export async function publishable(
  outcomes: Outcome[],
  toLetter: (input: LetterInput) => Promise<KanalEvent>,
): Promise<Publishable[]> {
  const out: Publishable[] = [];
  for (const o of outcomes) {
    if (o.result.kind === 'event') out.push({ event: o.result.event, mediaIndexes: o.result.mediaIndexes, raw: o.raw });
    else if (o.letter) out.push({ event: await toLetter(o.letter), mediaIndexes: [] });
  }
  return out;
}
