/**
 * Gathers the partition batches of one fetch into shared handler calls. kafkajs starts `eachBatch`
 * for every partition of a fetch in the same tick, so whatever arrives before the next
 * `setImmediate` is one fetch's worth. Groups hold whole partition batches, at most `maxRecords`
 * records each (one oversized batch forms a group of its own), and run concurrently.
 */
export class PartitionJoiner<T, R> {
  private pending: Array<{ item: T; size: number; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly maxRecords: number,
    private readonly run: (items: T[]) => Promise<R[]>,
  ) {}

  submit(item: T, size: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, size, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const entries = this.pending;
    this.pending = [];
    const groups: Array<typeof entries> = [];
    let current: typeof entries = [];
    let records = 0;
    for (const entry of entries) {
      if (current.length > 0 && records + entry.size > this.maxRecords) {
        groups.push(current);
        current = [];
        records = 0;
      }
      current.push(entry);
      records += entry.size;
    }
    if (current.length > 0) groups.push(current);
    for (const group of groups) {
      this.run(group.map((e) => e.item)).then(
        (results) => group.forEach((e, i) => e.resolve(results[i]!)),
        (error: unknown) => group.forEach((e) => e.reject(error)),
      );
    }
  }
}
