import { publishableOf, type Publishable } from '../dead-letters';
import { X_ERROR_CODES } from '../errors';
import { dmEventsPageToInbound } from '../x/dm-events-to-inbound';
import type { NormalizedBatch } from '../x/normalized-batch';
import { compareIds } from '../x/x-ids';
import { XApiError, type DmEventsApi, type RateLimit } from '../x/twitter-dm-api';
import { dmEventsPageSchema } from '../x/x-payload-schemas';
import type { CursorStore, PollCursor } from './pg-cursor-store';

/** One window's budget: a run never pages further, even when X sends no rate-limit headers. */
export const MAX_PAGES_PER_RUN = 15;

export interface PollDeps {
  api: DmEventsApi;
  store: CursorStore;
  /** Resolves only once Kafka acknowledged every event and dead letter (acks=all). */
  publish(out: Publishable): Promise<void>;
  /** Skips, dead letters, partial errors and overlap skips of one page, for logs and metrics. */
  onPage?(accountId: string, batch: NormalizedBatch, out: Publishable, overlapSkipped: number): void;
  now?: () => Date;
}

export interface PollOutcome {
  pages: number;
  published: number;
  deadLettered: number;
  /** Why the run stopped: reached the stored cursor, ran out of pages, or used up the request budget. */
  stoppedAt: 'cursor' | 'end' | 'budget';
  rateLimit?: RateLimit;
}

const idOf = (item: unknown): string | undefined => {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' && /^\d{1,30}$/.test(id) ? id : undefined;
};

/**
 * One polling run of an account: newest page first, paging back until an event at or below the
 * stored cursor shows up (pages overlap; seen ids are skipped). Each page is published before its
 * progress is saved, and the cursor moves to the newest id only when the run has reached the old
 * cursor, so a crash or restart anywhere resumes without gaps (at worst a page is republished,
 * with the same event ids).
 */
export async function pollAccount(accountId: string, deps: PollDeps): Promise<PollOutcome> {
  const start = await deps.store.load(accountId);
  const since = start.lastEventId;
  let token = start.backfill?.token;
  let newest = start.backfill?.newestId;
  const seen = new Set<string>();
  let published = 0;
  let deadLettered = 0;
  let rateLimit: RateLimit | undefined;

  for (let pages = 1; ; pages++) {
    let response;
    try {
      response = await deps.api.fetchPage(token);
    } catch (error) {
      // An expired page token cannot be resumed: start over from the newest page (no gap, the
      // cursor has not moved; already-published events come again with the same ids).
      if (error instanceof XApiError && error.status === 400 && token)
        await deps.store.save(accountId, { lastEventId: since, backfill: null });
      throw error;
    }
    rateLimit = response.rateLimit;
    const page = dmEventsPageSchema.safeParse(response.body);
    if (!page.success)
      throw new XApiError(
        X_ERROR_CODES.invalidPayload,
        `dm_events page is malformed: ${page.error.issues[0]?.message}`,
      );

    const items = page.data.data ?? [];
    const ids = items.map(idOf).filter((id): id is string => id !== undefined);
    newest ??= ids.reduce<string | undefined>((max, id) => (!max || compareIds(id, max) > 0 ? id : max), undefined);
    const reachedCursor = since !== null && ids.some((id) => compareIds(id, since) <= 0);
    const fresh = items.filter((item) => {
      const id = idOf(item);
      if (id && (seen.has(id) || (since !== null && compareIds(id, since) <= 0))) return false;
      if (id) seen.add(id);
      return true;
    });
    const receivedAt = (deps.now?.() ?? new Date()).toISOString();
    const batch = dmEventsPageToInbound({ ...page.data, data: fresh }, { accountId, receivedAt });
    // X sends newest first; oldest first keeps each conversation in order within the page.
    const out = publishableOf({ ...batch, events: [...batch.events].reverse() }, receivedAt);
    // Dead letters go out with the events, before the cursor can move past their items.
    await deps.publish(out);
    deps.onPage?.(accountId, batch, out, items.length - fresh.length);
    published += out.events.length;
    deadLettered += out.deadLetters.length;

    const next = page.data.meta?.next_token;
    if (reachedCursor || !next || !newest) {
      const lastEventId = newest && (since === null || compareIds(newest, since) > 0) ? newest : since;
      await deps.store.save(accountId, { lastEventId, backfill: null });
      return { pages, published, deadLettered, stoppedAt: reachedCursor ? 'cursor' : 'end', rateLimit };
    }
    const progress: PollCursor = { lastEventId: since, backfill: { newestId: newest, token: next } };
    await deps.store.save(accountId, progress);
    token = next;
    if ((rateLimit && rateLimit.remaining <= 0) || pages >= MAX_PAGES_PER_RUN)
      return { pages, published, deadLettered, stoppedAt: 'budget', rateLimit };
  }
}
