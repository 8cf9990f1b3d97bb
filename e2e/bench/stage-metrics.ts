/** Totals of a metric over all its label sets, from Prometheus text exposition. */
function total(text: string, metric: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface HandlerTotals {
  batches: number;
  records: number;
  seconds: number;
}

/** What a consumer service's own /metrics say about its handler so far: batches, records, time in the handler. */
export async function handlerTotals(metricsUrl: string): Promise<HandlerTotals> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
  return {
    batches: total(text, 'kanal_handler_duration_seconds_count'),
    records: total(text, 'kanal_events_in_total'),
    seconds: total(text, 'kanal_handler_duration_seconds_sum'),
  };
}

export interface HandlerStats {
  batches: number;
  recordsPerBatch: number;
  /** Mean wall time of one handler call (one transaction + its publish), in ms. */
  msPerBatch: number;
}

/**
 * The handler's work between two scrapes. The time per batch is where a stage's latency goes once
 * the record is fetched: partitions are handled concurrently, so these do not add up to wall time.
 */
export function handlerBetween(a: HandlerTotals, b: HandlerTotals): HandlerStats {
  const batches = b.batches - a.batches;
  return {
    batches,
    recordsPerBatch: batches ? +((b.records - a.records) / batches).toFixed(1) : 0,
    msPerBatch: batches ? +(((b.seconds - a.seconds) / batches) * 1000).toFixed(1) : 0,
  };
}
