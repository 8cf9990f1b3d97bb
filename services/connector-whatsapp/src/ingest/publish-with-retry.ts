import type { EventPublisher, OutgoingRecord } from '@kanal/kafka';
import { errorCode } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';

export interface RetryOptions {
  /** Stop retrying (shutdown); the last error is thrown. */
  stopped: () => boolean;
  baseMs?: number;
  maxMs?: number;
  onRetry?: () => void;
  /** What is retried, for the log line. */
  what?: string;
}

/**
 * Baileys has already acknowledged the message to WhatsApp when we see it, so nobody would
 * redeliver it: keep retrying (bounded backoff) while a dependency is down instead of dropping.
 */
export async function retrying<T>(fn: () => Promise<T>, logger: Logger, options: RetryOptions): Promise<T> {
  const { baseMs = 200, maxMs = 30_000, what = 'publish' } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (options.stopped()) throw error;
      options.onRetry?.();
      const delay = Math.round(Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20)) * (0.5 + Math.random() / 2));
      logger.warn({ code: errorCode(error), attempt, delay }, `${what} failed; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export function publishWithRetry(
  bus: EventPublisher,
  records: OutgoingRecord[],
  logger: Logger,
  options: RetryOptions,
): Promise<void> {
  return retrying(() => bus.publish(records), logger, options);
}
