import type { EventPublisher } from '@kanal/kafka';
import { withTransaction, type Pool } from '@kanal/postgres';
import type { RouterContext } from '../router-context';
import { watchSurges, type SurgeHit } from './surge-watch';

/**
 * Feeds the surge watch off the routing path. The watch serialises on one advisory lock per
 * (rule, term) across partitions and instances; awaited by every batch, that lock made the
 * partitions queue behind each other exactly when a surge hits (every message matching one term).
 * Here hits from any number of batches are counted in one short transaction at a time, while the
 * batches themselves commit at once. The trade-off, hits of the last moments lost on a crash, is
 * fine for a heuristic; a failure is logged and counted, never retried into double routing.
 */
export class SurgeQueue {
  private pending: SurgeHit[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly ctx: RouterContext,
    private readonly pool: Pool,
    private readonly bus: EventPublisher,
  ) {}

  add(hits: SurgeHit[]): void {
    this.pending.push(...hits);
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
  }

  /** Resolves when every hit added so far has been counted (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const hits = this.pending;
      this.pending = [];
      try {
        await withTransaction(this.pool, async (db) => this.bus.publish(await watchSurges(this.ctx, db, hits)));
      } catch (err) {
        this.ctx.metrics.dropped.inc({ reason: 'surge-watch-failed' }, hits.length);
        this.ctx.logger.warn(
          { err, code: (err as { code?: string }).code, hits: hits.length },
          'surge watch failed for a set of hits',
        );
      }
    }
  }
}
