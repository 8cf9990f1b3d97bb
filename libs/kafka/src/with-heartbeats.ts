/**
 * Runs `work` while telling the group coordinator every `everyMs` that the member is alive. A
 * handler call can outlast the session timeout (500 large messages on a loaded machine); without
 * heartbeats meanwhile the member is evicted, its offset commit is refused (UNKNOWN_MEMBER_ID)
 * and kafkajs stops the consumer for good. A failed heartbeat (a rebalance began) is ignored
 * here: the batch loop sees `isStale()` afterwards and leaves the rest for redelivery.
 */
export async function withHeartbeats<T>(
  heartbeat: () => Promise<void>,
  work: () => Promise<T>,
  everyMs = 1_000,
): Promise<T> {
  const timer = setInterval(() => void heartbeat().catch(() => undefined), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
