/** Exponential backoff with full jitter (AWS architecture blog), capped. */
export function backoffDelay(attempt: number, baseMs = 200, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Sleeps in slices, calling `tick` between them (heartbeats) and stopping early when told. */
export async function sleepWithTicks(
  ms: number,
  tick: () => Promise<void>,
  shouldStop: () => boolean,
  sliceMs = 1_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !shouldStop()) {
    await new Promise((r) => setTimeout(r, Math.min(sliceMs, until - Date.now())));
    await tick();
  }
}
