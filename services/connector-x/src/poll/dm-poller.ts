import type { Logger } from '@kanal/observability';
import { errorCode } from '@kanal/kafka';
import type { Publishable } from '../dead-letters';
import { X_ERROR_CODES } from '../errors';
import { reportBatch } from '../report-batch';
import type { XMetrics } from '../x-metrics';
import { XApiError, type DmEventsApi } from '../x/twitter-dm-api';
import type { CursorStore } from './pg-cursor-store';
import { pollAccount } from './poll-account';
import { failureDelay, nextPollDelay, rateLimitedDelay } from './poll-schedule';

export interface DmPollerOptions {
  accounts: Array<{ accountId: string; api: DmEventsApi }>;
  store: CursorStore;
  publish(out: Publishable): Promise<void>;
  logger: Logger;
  metrics: XMetrics;
  minIntervalMs: number;
}

/**
 * Runs pollAccount for every account on its own timer: one run at a time per account, the next one
 * scheduled from the rate-limit headers (or the reset time after a 429, or a backoff after a failure).
 */
export class DmPoller {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: DmPollerOptions) {}

  start(): void {
    for (const account of this.options.accounts) this.schedule(account, 0);
  }

  /** Cancels pending runs and waits for the ones in flight (their progress is saved per page). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.allSettled(this.running.values());
  }

  private schedule(account: DmPollerOptions['accounts'][number], delayMs: number): void {
    if (this.stopped) return;
    this.timers.set(
      account.accountId,
      setTimeout(() => {
        const run = this.run(account).then((next) => this.schedule(account, next));
        this.running.set(account.accountId, run);
      }, delayMs),
    );
  }

  /** One run; resolves to the delay before the next. Never rejects. */
  private async run({ accountId, api }: DmPollerOptions['accounts'][number]): Promise<number> {
    const { logger, metrics, minIntervalMs } = this.options;
    const log = logger.child({ account: accountId });
    try {
      const outcome = await pollAccount(accountId, {
        api: this.counted(accountId, api),
        store: this.options.store,
        publish: this.options.publish,
        onPage: (account, batch, out, overlap) => {
          reportBatch(batch, out, { logger, metrics });
          if (overlap > 0) metrics.overlapSkipped.inc({ account }, overlap);
        },
      });
      this.failures.set(accountId, 0);
      metrics.pollRuns.inc({ account: accountId, outcome: outcome.stoppedAt });
      if (outcome.published > 0 || outcome.deadLettered > 0) {
        const { published, deadLettered, pages } = outcome;
        log.info({ published, deadLettered, pages }, 'published DM events');
      }
      return nextPollDelay(outcome.rateLimit, { nowMs: Date.now(), minIntervalMs });
    } catch (error) {
      const attempt = (this.failures.get(accountId) ?? 0) + 1;
      this.failures.set(accountId, attempt);
      const code = errorCode(error, X_ERROR_CODES.apiFailed);
      metrics.pollRuns.inc({ account: accountId, outcome: code });
      const status = error instanceof XApiError ? error.status : undefined;
      const delay =
        code === X_ERROR_CODES.rateLimited
          ? rateLimitedDelay((error as XApiError).rateLimit, { nowMs: Date.now(), minIntervalMs, attempt })
          : failureDelay({ minIntervalMs, attempt });
      const level = code === X_ERROR_CODES.authFailed ? 'error' : 'warn';
      log[level]({ code, status, retryInMs: delay }, `polling X failed: ${(error as Error).message}`);
      return delay;
    }
  }

  private counted(accountId: string, api: DmEventsApi): DmEventsApi {
    const { metrics } = this.options;
    return {
      fetchPage: async (token) => {
        try {
          const page = await api.fetchPage(token);
          metrics.apiRequests.inc({ account: accountId, outcome: 'ok' });
          if (page.rateLimit) metrics.rateLimitRemaining.set({ account: accountId }, page.rateLimit.remaining);
          return page;
        } catch (error) {
          const code = errorCode(error);
          const outcome =
            code === X_ERROR_CODES.rateLimited
              ? 'rate-limited'
              : code === X_ERROR_CODES.authFailed
                ? 'auth-failed'
                : 'failed';
          metrics.apiRequests.inc({ account: accountId, outcome });
          if (error instanceof XApiError && error.rateLimit)
            metrics.rateLimitRemaining.set({ account: accountId }, error.rateLimit.remaining);
          throw error;
        }
      },
    };
  }
}
