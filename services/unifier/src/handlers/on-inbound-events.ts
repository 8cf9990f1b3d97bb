import { TOPICS, type InboundData, type KanalEvent } from '@kanal/contracts';
import { DependencyUnavailableError, type BatchHandler, type EventPublisher, type RejectedRecord } from '@kanal/kafka';
import { isTransientPgError, withTransaction, type Pool } from '@kanal/postgres';
import type { OutboxEntry } from '../store/pg-outbox';
import { unifyInboundEvent, type UnifyContext } from '../use-cases/unify-inbound-event';

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
 * kanal.inbound.v1 → one transaction per event (effects + recorded outputs), then one publish of
 * every output of the batch; the bus commits offsets only after that publish is acknowledged.
 */
export function onInboundEvents(deps: { pool: Pool; bus: EventPublisher; ctx: UnifyContext }): BatchHandler {
  return async (records) => {
    const outputs: OutboxEntry[] = [];
    const rejected: RejectedRecord[] = [];
    for (const record of records) {
      if (!INBOUND_TYPES.has(record.event.type)) {
        rejected.push({ record, code: 'UNIFIER.UNEXPECTED_TYPE', message: `${record.event.type} is not an inbound event type` });
        continue;
      }
      const event = record.event as KanalEvent & { data: InboundData };
      outputs.push(...(await inTransaction(deps.pool, (client) => unifyInboundEvent(client, event, deps.ctx))));
    }
    await deps.bus.publish(outputs.map((o) => ({ topic: TOPICS.customers, key: o.key, event: o.event })));
    return { rejected };
  };
}

async function inTransaction<T>(pool: Pool, fn: Parameters<typeof withTransaction<T>>[1]): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, fn);
    } catch (error) {
      // Two instances inserting the same identity/conversation/outbox row: the retry sees the winner's row.
      if ((error as { code?: string }).code === '23505' && attempt < 5) continue;
      if (isTransientPgError(error)) {
        throw new DependencyUnavailableError('UNIFIER.DB_UNAVAILABLE', `Postgres unavailable: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  }
}
