import type { KanalEvent } from '@kanal/contracts';
import type { XDeadLetterCode } from '../errors';

export type XInboundEvent =
  KanalEvent<'kanal.message.received.v1'> | KanalEvent<'kanal.message.sent.v1'> | KanalEvent<'kanal.message.status.v1'>;

/** An item that is by design not a message (typing, follows, joins, …): counted, not published. */
export interface SkippedItem {
  reason: string;
  /** Where it was, without personal data (`data[4] id 1790…`, `follow_events`). */
  item: string;
}

/** An item that could not become an event: it becomes a provider dead letter. */
export interface RejectedItem {
  code: XDeadLetterCode;
  /** For operators; no personal data. */
  message: string;
  /** The smallest X-shaped document holding the item (a dm_events page or a webhook body). */
  payload: unknown;
  item: string;
  /** The inbound key the item would have had, when its conversation is known. */
  key?: string;
}

/** What one dm_events page or webhook body comes to: every item ends up in exactly one list. */
export interface NormalizedBatch {
  accountId: string;
  events: XInboundEvent[];
  skipped: SkippedItem[];
  rejected: RejectedItem[];
  /** Partial errors X returned beside good data (HTTP 200 with `errors`), as `type`/`title` only. */
  partialErrors: Array<{ type?: string; title?: string }>;
}

export function emptyBatch(accountId: string): NormalizedBatch {
  return { accountId, events: [], skipped: [], rejected: [], partialErrors: [] };
}
