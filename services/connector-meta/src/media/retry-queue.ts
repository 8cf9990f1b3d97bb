/** A job failure that retrying cannot fix (404 on an expired URL, a file over the size limit). */
export class PermanentJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export interface RetryQueueOptions<T> {
  handler: (job: T, attempt: number) => Promise<void>;
  concurrency: number;
  maxAttempts: number;
  /** First retry delay; doubles per attempt (with jitter), capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs?: number;
  /** Jobs held at most; beyond it `push` refuses (memory stays bounded during a CDN outage). */
  capacity: number;
  onRetry?: (job: T, attempt: number, error: unknown) => void;
  onGiveUp?: (job: T, attempt: number, error: unknown) => void;
}

interface Entry<T> {
  job: T;
  attempt: number;
  dueAt: number;
}

/**
 * In-process work queue drained off the request path: bounded concurrency, exponential backoff,
 * a bounded number of attempts. Jobs live in memory: a crash loses queued media (not messages).
 */
export class RetryQueue<T> {
  private readonly waiting: Entry<T>[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly options: RetryQueueOptions<T>) {}

  get size(): number {
    return this.waiting.length + this.running;
  }

  push(job: T): boolean {
    if (this.stopped || this.size >= this.options.capacity) return false;
    this.waiting.push({ job, attempt: 1, dueAt: 0 });
    this.pump();
    return true;
  }

  /** Stops taking jobs, lets the running ones finish (queued retries are dropped). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.waiting.length = 0;
    if (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    while (this.running < this.options.concurrency) {
      const index = this.waiting.findIndex((e) => e.dueAt <= now);
      if (index < 0) break;
      const [entry] = this.waiting.splice(index, 1);
      this.running++;
      void this.run(entry!);
    }
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped || this.waiting.length === 0) return;
    const next = Math.min(...this.waiting.map((e) => e.dueAt));
    this.timer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private async run(entry: Entry<T>): Promise<void> {
    try {
      await this.options.handler(entry.job, entry.attempt);
    } catch (error) {
      if (error instanceof PermanentJobError || entry.attempt >= this.options.maxAttempts) {
        this.options.onGiveUp?.(entry.job, entry.attempt, error);
      } else {
        this.options.onRetry?.(entry.job, entry.attempt, error);
        const backoff = Math.min(this.options.baseDelayMs * 2 ** (entry.attempt - 1), this.options.maxDelayMs ?? 300_000);
        const jitter = Math.random() * backoff * 0.2;
        if (!this.stopped) this.waiting.push({ job: entry.job, attempt: entry.attempt + 1, dueAt: Date.now() + backoff + jitter });
      }
    } finally {
      this.running--;
      if (this.running === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
      this.pump();
    }
  }
}
