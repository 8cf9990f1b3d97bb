import type { MessageKey, Outgoing } from './payloads';

export interface PhaseTally {
  /** Distinct messages generated (each retried until accepted). */
  sent: number;
  accepted: MessageKey[];
  /** POST attempts that failed (connection refused/reset, timeout, 5xx): the fault was felt. */
  retried: number;
  /** Messages never accepted within the retry deadline. */
  gaveUp: MessageKey[];
  /** Answers that can never succeed (4xx, or 200 that dropped the message): a suite or service bug. */
  rejected: string[];
}

const emptyTally = (): PhaseTally => ({ sent: 0, accepted: [], retried: 0, gaveUp: [], rejected: [] });

/**
 * A steady stream of new messages into one connector, `rate` per second. Every message is
 * delivered at least once: a failed or 5xx POST is retried with the same bytes until the connector
 * accepts it (the connectors' contract: same body, same deterministic event ids), so whatever is
 * accepted must come out of the pipeline exactly once.
 */
export class MessageStream {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private seq = 0;
  private phase = '';
  readonly tallies = new Map<string, PhaseTally>();

  constructor(
    readonly name: string,
    private readonly rate: number,
    private readonly next: (phase: string, seq: number) => Outgoing,
    private readonly retryDeadlineMs = 120_000,
  ) {}

  /** Starts (or keeps) streaming; new messages belong to `phase` from now on. */
  start(phase: string): void {
    this.phase = phase;
    if (!this.tallies.has(phase)) this.tallies.set(phase, emptyTally());
    if (this.timer) return;
    this.timer = setInterval(() => this.launch(this.next(this.phase, this.seq++)), 1000 / this.rate);
  }

  /** Stops generating messages and waits until every message in flight was accepted (or given up). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  get pending(): number {
    return this.inFlight.size;
  }

  tally(phase: string): PhaseTally {
    return this.tallies.get(phase) ?? emptyTally();
  }

  private launch(message: Outgoing): void {
    const tally = this.tally(message.phase);
    this.tallies.set(message.phase, tally);
    tally.sent++;
    const delivery = this.deliver(message, tally).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  private async deliver(message: Outgoing, tally: PhaseTally): Promise<void> {
    const deadline = Date.now() + this.retryDeadlineMs;
    for (let attempt = 1; ; attempt++) {
      let failure: string;
      try {
        const res = await fetch(message.url, {
          method: 'POST',
          headers: message.headers,
          body: message.body,
          // Longer than the connectors' publish timeout (10 s), so a 503 normally arrives first.
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status >= 200 && res.status < 300) {
          if (message.accepted(res.status, text)) {
            tally.accepted.push(message.key);
            return;
          }
          tally.rejected.push(`${this.name}: ${res.status} without the message published: ${text.slice(0, 200)}`);
          return;
        }
        if (res.status < 500 && res.status !== 429) {
          tally.rejected.push(`${this.name}: ${res.status} ${text.slice(0, 200)}`);
          return;
        }
        failure = `${res.status}`;
      } catch (error) {
        failure = (error as Error).message;
      }
      tally.retried++;
      if (Date.now() > deadline) {
        tally.gaveUp.push(`${message.key} (last failure: ${failure})`);
        return;
      }
      // Retry pacing as a webhook provider or integrator would do it, not synchronisation.
      await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** Math.min(attempt, 5))));
    }
  }
}
