import {
  buildInboundEvent,
  EVENT_TYPES,
  toStorableInbound,
  type CloudEvent,
  type EventData,
  type InboundEventType,
} from '@kanal/contracts';
import { META_CODES, notStorableCode, type SkipReason } from './meta-codes';

export const SOURCE = 'kanal/connector-meta';

/**
 * Below the broker's 1 MB record limit with room for headers: one oversized record would fail the
 * whole publish (and Meta would redeliver it for days), so such an item is dead-lettered instead.
 */
const MAX_EVENT_BYTES = 900_000;

/** Media of one published message still to fetch (Cloud API media id or IG/FB CDN url). */
export interface MediaJob {
  /** The message event whose `attachments[index]` these are; the stored event targets it. */
  message: CloudEvent;
  items: Array<{ index: number; providerMediaId?: string; url?: string; mimeType?: string }>;
}

/** One provider item of a delivery: a message, a status, a messaging item, a change. */
export interface ItemRef {
  /** phone_number_id, IG account id or Page id, when the item names one. */
  accountId?: string;
  /** Where the item sits (`entry[0].changes[1].messages[0]`), without personal data. */
  locator: string;
  /** The inbound key its events have (or would have had). */
  key?: string;
  /** The webhook body reduced to this item, which `normalizeWebhook` maps again on replay. */
  payload: () => string;
}

export interface DeadLetterItem {
  code: string;
  /** For the operator; never personal data. */
  message: string;
  item: ItemRef;
}

export interface SkippedItem {
  reason: SkipReason;
  accountId?: string;
  locator: string;
  /** Which field or kind was skipped (a provider name, never personal data). */
  detail?: string;
}

/** Every item of a delivery ends in exactly one of `events` (one or more), `deadLetters` or `skipped`. */
export interface NormalizedBatch {
  events: Array<{ accountId: string; event: CloudEvent; item: ItemRef }>;
  media: MediaJob[];
  deadLetters: DeadLetterItem[];
  skipped: SkippedItem[];
}

export function emptyBatch(): NormalizedBatch {
  return { events: [], media: [], deadLetters: [], skipped: [] };
}

/** Thrown while mapping one item: the item becomes a dead letter with this code. */
export class ItemFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ItemFailure';
  }
}

/** Collects one item's events; nothing reaches the batch unless the whole item mapped. */
export class ItemSink {
  readonly events: CloudEvent[] = [];
  readonly media: MediaJob[] = [];

  /**
   * Makes `data` storable and bounded (toStorableInbound: Meta was already answered 200, so texts
   * are repaired and cut, times fall back, flagged) and validates it against the contract: a
   * consumer would dead-letter an invalid event far from its payload, so an item that still cannot
   * become an event is dead-lettered here, raw, instead.
   */
  add<T extends InboundEventType>(type: T, data: Record<string, unknown>, idSuffix?: string): CloudEvent {
    // Every mapper sets `receivedAt` to the delivery's receive time: the fallback of a bad time.
    const receivedAt = typeof data['receivedAt'] === 'string' ? data['receivedAt'] : new Date();
    const storable = toStorableInbound(data, { receivedAt });
    if (!storable.ok) throw new ItemFailure(notStorableCode(storable.refusal), `${type}: ${storable.message}`);
    const parsed = EVENT_TYPES[type].data.safeParse(storable.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ItemFailure(META_CODES.invalidEvent, `${type}: ${issue?.path.join('.')} ${issue?.message}`);
    }
    const event = buildInboundEvent(type, parsed.data as EventData<T>, {
      source: SOURCE,
      ...(idSuffix ? { idSuffix } : {}),
    });
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES) {
      throw new ItemFailure(META_CODES.eventTooLarge, `${type} would exceed the broker's record limit`);
    }
    this.events.push(event);
    return event;
  }

  queueMedia(message: CloudEvent, items: MediaJob['items']): void {
    if (items.length) this.media.push({ message, items });
  }
}

/**
 * Maps one item in isolation: its events, a skip (the mapper returns the reason) or a dead letter
 * (an ItemFailure, or any error: one item a mapper cannot handle never fails the delivery).
 */
export function mapItem(batch: NormalizedBatch, item: ItemRef, map: (sink: ItemSink) => SkipReason | void): void {
  const sink = new ItemSink();
  let skip: SkipReason | void;
  try {
    skip = map(sink);
    if (!skip && sink.events.length === 0) throw new ItemFailure(META_CODES.unmappedItem, 'the item gave no event');
  } catch (error) {
    const failure =
      error instanceof ItemFailure
        ? error
        : new ItemFailure(
            META_CODES.mapperFailed,
            `mapper failed: ${error instanceof Error ? error.name : typeof error}`,
          );
    batch.deadLetters.push({ code: failure.code, message: failure.message, item });
    return;
  }
  if (skip) {
    batch.skipped.push({ reason: skip, accountId: item.accountId, locator: item.locator });
    return;
  }
  for (const event of sink.events) batch.events.push({ accountId: item.accountId ?? '', event, item });
  batch.media.push(...sink.media);
}

/** An item that is not even shaped like one: dead-lettered without mapping. */
export function deadLetter(batch: NormalizedBatch, item: ItemRef, code: string, message: string): void {
  batch.deadLetters.push({ code, message, item });
}

export function skipItem(batch: NormalizedBatch, item: ItemRef, reason: SkipReason, detail?: string): void {
  batch.skipped.push({ reason, accountId: item.accountId, locator: item.locator, ...(detail ? { detail } : {}) });
}

/** `{a: 1, b: undefined}` → `{a: 1}`; `{}` → undefined (flags and metadata are left out when empty). */
export function compact<T extends Record<string, unknown>>(value: T): T | undefined {
  const out = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== false));
  return Object.keys(out).length ? (out as T) : undefined;
}
