import type { KanalEvent } from '@kanal/contracts';
import {
  childTraceparent,
  type BatchHandler,
  type EventPublisher,
  type IncomingRecord,
  type OutgoingRecord,
} from '@kanal/kafka';
import { withTransaction, type Pool } from '@kanal/postgres';
import { asDependencyOutage } from '@kanal/service';
import type { RouterContext } from '../router-context';
import { BatchStore } from '../store/batch-store';
import { renameCustomer, type Queryable } from '../store/conversation-repo';
import type { SurgeQueue } from '../surge/surge-queue';
import type { SurgeHit } from '../surge/surge-watch';
import { applySplit, foldMerge } from '../use-cases/fold-customers';
import { recordResponse } from '../use-cases/record-response';
import { messageTime } from '../routing/message-time';
import { routedTime, routeMessage, type Received } from '../use-cases/route-message';

/**
 * `kanal.customers.v1` consumer. One transaction per batch: every record's effects, then the
 * routing events are published (acks=all) *before* the commit, so a crash either loses nothing
 * (redelivery redoes the batch; ids are deterministic) or finds the events marked processed.
 * Records arrive schema-valid: the bus validated them against the contract and dead-lettered the rest.
 */
export function onCustomerEvents(
  ctx: RouterContext,
  pool: Pool,
  bus: EventPublisher,
  surges: SurgeQueue,
): BatchHandler {
  return async (records) => {
    const surge: SurgeHit[] = [];
    // A Postgres outage is retried by the bus without limit (never dead-letters the batch).
    await asDependencyOutage('ROUTER.DB_UNAVAILABLE', () =>
      withTransaction(pool, async (db) => {
        surge.length = 0; // a retried transaction starts over
        const fresh = await freshEvents(db, records);
        const store = new BatchStore(db);
        const keys = batchKeys(records.filter((r) => fresh.has(r.event.id)), ctx.now());
        await store.prefetch(keys, ctx.rules.repeatWindowsMs);
        const out: OutgoingRecord[] = [];
        for (const record of records) {
          if (!fresh.delete(record.event.id)) continue; // redelivered, or twice in this batch
          // Each routing event continues the trace of the customer event that caused it.
          for (const r of await handleOne(ctx, db, store, record, surge))
            out.push({ ...r, headers: { ...r.headers, traceparent: childTraceparent(record.traceparent) } });
        }
        await store.flush();
        await bus.publish(out);
      }),
    );
    if (surge.length > 0) surges.add(surge);
  };
}

async function handleOne(
  ctx: RouterContext,
  db: Queryable,
  store: BatchStore,
  record: IncomingRecord,
  surge: SurgeHit[],
): Promise<OutgoingRecord[]> {
  const event = record.event as KanalEvent;
  switch (event.type) {
    case 'kanal.customer.message.v1': {
      const data = event.data;
      if (data.kind === 'received') return routeMessage(ctx, store, event.id, data as Received, surge);
      if (data.kind === 'sent') {
        let conv = await store.lock(data.conversation.id);
        if (conv?.status === 'merged' && conv.mergedInto) conv = await store.lock(conv.mergedInto);
        if (!conv) return ignored(ctx, 'response-to-unknown-conversation');
        const at = routedTime(ctx, event.id, (data as Received).message, 'sent');
        return (await recordResponse(ctx, store, conv, { cause: event.id, at, recent: data.recent })).records;
      }
      return ignored(ctx, `kind-${data.kind}`);
    }
    case 'kanal.customer.merged.v1':
    case 'kanal.customer.split.v1': {
      // Rare and multi-row: written directly, with the batch's pending writes flushed first.
      await store.flush();
      const records =
        event.type === 'kanal.customer.merged.v1'
          ? await foldMerge(ctx, db, event.id, event.data)
          : await applySplit(ctx, db, event.id, event.data);
      store.invalidate();
      return records;
    }
    case 'kanal.customer.updated.v1': {
      // Attributes are read from each message's customer summary when rules run (the router keeps
      // none), so only a changed name needs writing into the conversations' customer summary.
      if (event.data.changes.displayName === undefined) return ignored(ctx, 'attributes-apply-on-next-message');
      await store.flush();
      await renameCustomer(db, event.data.customerId, event.data.changes.displayName);
      store.invalidate();
      return [];
    }
    default:
      return ignored(ctx, 'event-type-not-routed');
  }
}

/** Marks the batch's event ids processed in one statement; returns the ones seen for the first time. */
async function freshEvents(db: Queryable, records: IncomingRecord[]): Promise<Set<string>> {
  const { rows } = await db.query(
    `INSERT INTO processed_events (event_id) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING event_id`,
    [records.map((r) => r.event.id)],
  );
  return new Set(rows.map((r) => r.event_id as string));
}

function batchKeys(records: IncomingRecord[], now: Date) {
  const messages = records
    .map((r) => r.event as KanalEvent)
    .filter(
      (e): e is Extract<KanalEvent, { type: 'kanal.customer.message.v1' }> => e.type === 'kanal.customer.message.v1',
    )
    .map((e) => ({ id: e.id, data: e.data as Received }));
  const received = messages.filter((m) => m.data.kind === 'received');
  return {
    conversationIds: messages.map((m) => m.data.conversation.id),
    customerIds: received.map((m) => m.data.customer.id),
    contacts: received.map((m) => ({
      eventId: m.id,
      customerId: m.data.customer.id,
      // The same time the message is routed from (counted there), so contacts line up with it.
      at: messageTime(m.data.message, now).at,
    })),
  };
}

/** Edits, reactions, statuses, link suggestions, attribute changes: nothing to route, counted (never silent). */
function ignored(ctx: RouterContext, reason: string): OutgoingRecord[] {
  ctx.metrics.dropped.inc({ reason });
  return [];
}
