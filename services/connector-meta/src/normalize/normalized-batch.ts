import {
  buildInboundEvent,
  EVENT_TYPES,
  type CloudEvent,
  type EventData,
  type InboundEventType,
} from '@kanal/contracts';

export const SOURCE = 'kanal/connector-meta';

/** Media of one published message still to fetch (Cloud API media id or IG/FB CDN url). */
export interface MediaJob {
  /** The message event whose `attachments[index]` these are; the stored event targets it. */
  message: CloudEvent;
  items: Array<{ index: number; providerMediaId?: string; url?: string; mimeType?: string }>;
}

/** An input item not turned into an event, with the reason it is counted under (never silent). */
export interface Dropped {
  reason: string;
  accountId?: string;
  detail?: string;
}

export interface NormalizedBatch {
  /** Account ids (phone_number_id, IG account id, Page id) the events were addressed to. */
  events: Array<{ accountId: string; event: CloudEvent }>;
  media: MediaJob[];
  dropped: Dropped[];
}

export function emptyBatch(): NormalizedBatch {
  return { events: [], media: [], dropped: [] };
}

/**
 * Validates `data` against the contract before it becomes an event: a consumer would dead-letter
 * an invalid event, so a mapper bug or an out-of-range provider value is dropped here, counted.
 */
export function addEvent<T extends InboundEventType>(
  batch: NormalizedBatch,
  type: T,
  data: unknown,
  idSuffix?: string,
): CloudEvent | undefined {
  const parsed = EVENT_TYPES[type].data.safeParse(data);
  const accountId = (data as { accountId?: string }).accountId;
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    batch.dropped.push({ reason: 'invalid-event', accountId, detail: `${type}: ${issue?.path.join('.')} ${issue?.message}` });
    return undefined;
  }
  const event = buildInboundEvent(type, parsed.data as EventData<T>, { source: SOURCE, ...(idSuffix ? { idSuffix } : {}) });
  batch.events.push({ accountId: accountId ?? '', event });
  return event;
}

/** The largest instant a JS Date holds (±8.64e15 ms); a bigger provider value must not throw. */
const MAX_DATE_MS = 8.64e15;

/** Meta sends seconds (Cloud API, as a string) or milliseconds (IG/Messenger); out of range → fallback. */
export function isoFromSeconds(value: string | number | undefined, fallback: string): string {
  return isoFromMillis(Number(value) * 1000, fallback);
}

export function isoFromMillis(value: number | undefined, fallback: string): string {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_DATE_MS ? new Date(value).toISOString() : fallback;
}
