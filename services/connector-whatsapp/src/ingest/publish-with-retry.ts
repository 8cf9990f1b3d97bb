import type { EventPublisher, OutgoingRecord } from '@kanal/kafka';
import { errorCode } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';

export interface RetryOptions {
  /** Stop retrying (shutdown); the last error is thrown. */
  stopped: () => boolean;
  baseMs?: number;
  maxMs?: number;
  onRetry?: () => void;
}

/**
 * Baileys has already acknowledged the message to WhatsApp when we see it, so nobody would
 * redeliver it: keep retrying (bounded backoff) while the broker is down instead of dropping.
 */
export async function publishWithRetry(bus: EventPublisher, records: OutgoingRecord[], logger: Logger, options: RetryOptions): Promise<void> {
  const { baseMs = 200, maxMs = 30_000 } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      await bus.publish(records);
      return;
    } catch (error) {
      if (options.stopped()) throw error;
      options.onRetry?.();
      const delay = Math.round(Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20)) * (0.5 + Math.random() / 2));
      logger.warn({ code: errorCode(error), attempt, delay, records: records.length }, 'publish failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
