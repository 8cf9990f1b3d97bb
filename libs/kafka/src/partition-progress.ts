/** A partition with work waiting and no committed progress for too long. */
export interface StuckPartition {
  topic: string;
  partition: number;
  lag: number;
  /** Milliseconds since the partition last committed (or since work appeared on an idle one). */
  stalledMs: number;
}

interface Progress {
  topic: string;
  partition: number;
  lag: number;
  lastProgressAt: number;
}

/**
 * Per assigned partition: its lag and when its offset last moved. A handler that keeps failing,
 * or a dead letter that keeps failing to publish, leaves the lag above zero with no progress —
 * that is "stuck". The clock is injected so tests drive time instead of waiting for it.
 */
export class PartitionProgress {
  private readonly partitions = new Map<string, Progress>();

  constructor(
    private readonly stuckAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new assignment: partitions kept keep their history (a restart must not reset a stall). */
  assigned(assignment: Record<string, number[]>): void {
    const keep = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        keep.add(id(topic, partition));
        this.entry(topic, partition);
      }
    }
    for (const key of this.partitions.keys()) if (!keep.has(key)) this.partitions.delete(key);
  }

  /** A batch arrived whose first record is `firstOffset`. */
  fetched(topic: string, partition: number, highWatermark: string, firstOffset: string): void {
    const entry = this.entry(topic, partition);
    // Work appearing on a caught-up partition starts its clock now, not at its last commit.
    if (entry.lag === 0) entry.lastProgressAt = this.now();
    entry.lag = behind(highWatermark, firstOffset);
  }

  /** Offsets up to `nextOffset` (exclusive) were committed. */
  committed(topic: string, partition: number, highWatermark: string, nextOffset: string): void {
    const entry = this.entry(topic, partition);
    entry.lag = behind(highWatermark, nextOffset);
    entry.lastProgressAt = this.now();
  }

  stuck(): StuckPartition[] {
    const now = this.now();
    return this.all()
      .map((p) => ({ topic: p.topic, partition: p.partition, lag: p.lag, stalledMs: now - p.lastProgressAt }))
      .filter((p) => p.lag > 0 && p.stalledMs >= this.stuckAfterMs);
  }

  all(): Progress[] {
    return [...this.partitions.values()];
  }

  private entry(topic: string, partition: number): Progress {
    const key = id(topic, partition);
    let entry = this.partitions.get(key);
    if (!entry) {
      entry = { topic, partition, lag: 0, lastProgressAt: this.now() };
      this.partitions.set(key, entry);
    }
    return entry;
  }
}

const id = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function behind(highWatermark: string, offset: string): number {
  const lag = BigInt(highWatermark) - BigInt(offset);
  return lag > 0n ? Number(lag) : 0;
}
