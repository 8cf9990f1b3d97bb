import { TOPICS, type InboundData, type KanalEvent } from '@kanal/contracts';
import { childTraceparent, type BatchHandler, type EventPublisher, type RejectedRecord } from '@kanal/kafka';
import { withTransaction, type Pool } from '@kanal/postgres';
import { asDependencyOutage } from '@kanal/service';
import { unifyInboundEvents, type UnifyContext } from '../use-cases/unify-inbound-event';

const INBOUND_TYPES = new Set([
  'kanal.message.received.v1',
  'kanal.message.sent.v1',
  'kanal.message.edited.v1',
  'kanal.message.deleted.v1',
  'kanal.reaction.changed.v1',
  'kanal.message.status.v1',
  'kanal.attachment.stored.v1',
]);

/**
 * kanal.inbound.v1 → one transaction for the whole batch (effects + recorded outputs of every
 * event: one commit, one WAL flush), then one publish of every output; the bus commits offsets
 * only after that publish is acknowledged. A failing event fails the batch; the bus retries and
 * then isolates it record by record, so only a poison event is dead-lettered.
 */
export function onInboundEvents(deps: { pool: Pool; bus: EventPublisher; ctx: UnifyContext }): BatchHandler {
  return async (records) => {
    const rejected: RejectedRecord[] = [];
    const events: Array<KanalEvent & { data: InboundData }> = [];
    for (const record of records) {
      if (INBOUND_TYPES.has(record.event.type)) events.push(record.event as KanalEvent & { data: InboundData });
      else
        rejected.push({
          record,
          code: 'UNIFIER.UNEXPECTED_TYPE',
          message: `${record.event.type} is not an inbound event type`,
        });
    }
    const outputs = await inTransaction(deps.pool, (client) => unifyInboundEvents(client, events, deps.ctx));
    // Each output continues its own input's trace (a batch mixes many customers' traces).
    const traces = new Map(records.map((r) => [r.event.id, r.traceparent]));
    await deps.bus.publish(
      outputs.map((o) => ({
        topic: TOPICS.customers,
        key: o.key,
        event: o.event,
        value: o.value,
        headers: { traceparent: childTraceparent(traces.get(o.sourceEventId!)) },
      })),
    );
    return { rejected };
  };
}

function inTransaction<T>(pool: Pool, fn: Parameters<typeof withTransaction<T>>[1]): Promise<T> {
  // 23505: two instances inserting the same identity/conversation/outbox row; the retry sees the winner's row.
  return asDependencyOutage('UNIFIER.DB_UNAVAILABLE', () =>
    withTransaction(pool, fn, { prepared: true, retryOn: ['40001', '40P01', '23505'] }),
  );
}
