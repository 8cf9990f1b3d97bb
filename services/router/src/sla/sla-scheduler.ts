import { routingEventId } from '@kanal/contracts';
import type { EventPublisher, OutgoingRecord } from '@kanal/kafka';
import { withTransaction, type Pool } from '@kanal/postgres';
import { PollingLoop } from '@kanal/service';
import { routingRecord } from '../events/routing-records';
import type { RouterContext } from '../router-context';
import { toConversation } from '../store/conversation-repo';
import { appendHistory } from '../store/history-repo';
import { pruneOldRows } from './prune-old-rows';

const BATCH = 200;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Fires `kanal.sla.breached.v1` for due deadlines. Deadlines live in Postgres, not in timers: each
 * tick claims due rows (and their conversations) with FOR UPDATE SKIP LOCKED, publishes with
 * acks=all while holding the locks, then marks them breached in the same transaction. Another
 * instance skips the locked rows; a crash before the commit leaves them pending and the retry
 * publishes the same deterministic event id (the deadline id), so consumers see one breach.
 */
export class SlaScheduler {
  private lastPrune = 0;
  private readonly loop: PollingLoop;

  constructor(
    private readonly ctx: RouterContext,
    private readonly pool: Pool,
    private readonly bus: EventPublisher,
    intervalMs: number,
  ) {
    this.loop = new PollingLoop({
      intervalMs,
      batchSize: BATCH,
      tick: () => this.tickAndPrune(),
      onError: (err) => this.ctx.logger.warn({ err, code: (err as { code?: string }).code }, 'SLA tick failed; retrying'),
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async tickAndPrune(): Promise<number> {
    const breached = await this.tick();
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await pruneOldRows(this.ctx, this.pool).catch((err) => this.ctx.logger.warn({ err }, 'pruning old rows failed'));
    }
    return breached;
  }

  /** One claim-publish-commit round; returns how many deadlines breached. */
  async tick(): Promise<number> {
    const now = this.ctx.now();
    return withTransaction(this.pool, async (db) => {
      const { rows } = await db.query(
        `SELECT d.deadline_id, d.due_at, c.*
         FROM sla_deadlines d JOIN conversations c ON c.id = d.conversation_id
         WHERE d.state = 'pending' AND d.due_at <= $1
         ORDER BY d.due_at LIMIT $2
         FOR UPDATE OF d, c SKIP LOCKED`,
        [now, BATCH],
      );
      if (rows.length === 0) return 0;
      const out: OutgoingRecord[] = [];
      for (const row of rows) {
        const conv = toConversation(row);
        const deadline = row.deadline_id as string;
        const dueAt = row.due_at as Date;
        const id = routingEventId('sla-breached', deadline);
        out.push(
          routingRecord(
            'kanal.sla.breached.v1',
            id,
            conv.customerId,
            {
              conversationId: conv.id,
              customer: conv.customer,
              queue: conv.queue,
              priority: conv.priority,
              channel: conv.channel,
              slaDueAt: dueAt.toISOString(),
              breachedAt: now.toISOString(),
              deadlineId: deadline,
            },
            now.toISOString(),
          ),
        );
        await appendHistory(db, { conversationId: conv.id, eventId: id, type: 'sla-breached', queue: conv.queue, priority: conv.priority, slaDueAt: dueAt, at: now });
      }
      await this.bus.publish(out);
      const ids = rows.map((r) => r.deadline_id as string);
      await db.query(`UPDATE sla_deadlines SET state = 'breached', breached_at = $2 WHERE deadline_id = ANY($1)`, [ids, now]);
      await db.query(`UPDATE conversations SET sla_breached = true, updated_at = now() WHERE id = ANY($1)`, [rows.map((r) => r.id as string)]);
      for (const row of rows) this.ctx.metrics.breaches.inc({ queue: row.queue as string });
      this.ctx.logger.info({ count: rows.length }, 'SLA deadlines breached');
      return rows.length;
    });
  }
}
