import { BUS_ERROR_CODES, BusError, BusUnavailableError } from './errors';

/**
 * Broker answers that no retry can change (kafkajs marks them non-retriable). Everything else —
 * connection loss, leader elections, timeouts, unknown topics while metadata catches up — is an
 * outage: the caller answers 503 or the consumer retries.
 */
const REJECTIONS: Record<string, string> = {
  MESSAGE_TOO_LARGE: BUS_ERROR_CODES.recordTooLarge,
  RECORD_LIST_TOO_LARGE: BUS_ERROR_CODES.recordTooLarge,
  INVALID_TOPIC_EXCEPTION: BUS_ERROR_CODES.invalidTopic,
  TOPIC_AUTHORIZATION_FAILED: BUS_ERROR_CODES.topicUnauthorized,
  INVALID_RECORD: BUS_ERROR_CODES.invalidRecord,
};

/** The code of a non-retriable broker refusal anywhere in the error's cause chain, if any. */
export function rejectionCode(error: unknown): string | undefined {
  for (
    let e = error as { type?: unknown; name?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 8;
    depth++
  ) {
    if (typeof e.type === 'string' && REJECTIONS[e.type]) return REJECTIONS[e.type];
    // kafkajs refuses a null or empty topic name itself, before asking the broker.
    if (e.name === 'KafkaJSNonRetriableError' && e.message === 'Invalid topic') return BUS_ERROR_CODES.invalidTopic;
    if (e instanceof BusError && e.code !== BUS_ERROR_CODES.unavailable && e.code !== BUS_ERROR_CODES.publishFailed)
      return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** A produce failure as the bus reports it: a BusError with the refusal's code, or BUS.UNAVAILABLE. */
export function produceError(error: unknown): BusError {
  const code = rejectionCode(error);
  const message = `publish failed: ${(error as Error)?.message ?? String(error)}`;
  return code ? new BusError(code, message, { cause: error }) : new BusUnavailableError(message, { cause: error });
}

/** True for refusals (size, topic, authorization): retrying them cannot help. */
export function isRejection(error: unknown): boolean {
  return rejectionCode(error) !== undefined;
}
