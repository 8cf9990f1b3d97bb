import { TOPICS } from '@kanal/contracts';
import type { EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import { withTransaction, type Pool } from '@kanal/postgres';
import { PollingLoop } from '@kanal/service';
import { claimUnpublished, forgetPublished } from '../store/pg-api-outbox';

const BATCH = 200;

/**
 * Publishes the events of API changes (merges, splits, accepted suggestions, customer updates)
 * whose request could not (Kafka down at answer time, or the process died between commit and
 * publish). Rows are claimed with SKIP LOCKED, published with acks=all while locked, then deleted
 * in the same transaction: a crash before the commit publishes them again with the same ids, which
 * consumers deduplicate.
 */
export class ApiOutboxRelay {
  private readonly loop: PollingLoop;

  constructor(
    private readonly deps: {
      pool: Pool;
      bus: EventPublisher;
      logger: Logger;
      intervalMs: number;
      /** Rows younger than this are left to the request that wrote them. */
      minAgeMs: number;
      onRelayed?: (n: number) => void;
    },
  ) {
    this.loop = new PollingLoop({
      intervalMs: deps.intervalMs,
      firstDelayMs: deps.intervalMs,
      batchSize: BATCH,
      tick: () => this.tick(),
      onError: (err) => deps.logger.warn({ err, code: (err as { code?: string }).code }, 'outbox relay failed; retrying'),
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One claim-publish-delete round; returns how many events it published. */
  async tick(): Promise<number> {
    return withTransaction(this.deps.pool, async (client) => {
      const due = await claimUnpublished(client, this.deps.minAgeMs, BATCH);
      if (due.length === 0) return 0;
      await this.deps.bus.publish(due.map((e) => ({ topic: TOPICS.customers, key: e.key, event: e.event })));
      await forgetPublished(client, due.map((e) => e.event.id));
      this.deps.onRelayed?.(due.length);
      return due.length;
    });
  }
}
