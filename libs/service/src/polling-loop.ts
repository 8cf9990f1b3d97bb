/**
 * Runs `tick` every `intervalMs` and again at once while it reports a full batch (more work is
 * waiting). A failing tick is reported and retried on the next round; `stop` waits for the round in
 * flight, so work claimed in a transaction is committed or rolled back before shutdown goes on.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly options: {
      intervalMs: number;
      /** A tick that handled this many items goes again without waiting. */
      batchSize: number;
      /** Delay before the first tick. */
      firstDelayMs?: number;
      tick: () => Promise<number>;
      onError: (error: unknown) => void;
    },
  ) {}

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      let handled = 0;
      this.running = this.options
        .tick()
        .then((n) => void (handled = n))
        .catch(this.options.onError);
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, handled >= this.options.batchSize ? 0 : this.options.intervalMs);
    };
    this.timer = setTimeout(loop, this.options.firstDelayMs ?? 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
