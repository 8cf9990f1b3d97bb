/** Exponential backoff with full jitter: reconnect storms from many replicas do not line up. */
export function backoffDelay(attempt: number, { baseMs = 500, maxMs = 30_000 }: { baseMs?: number; maxMs?: number } = {}): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
