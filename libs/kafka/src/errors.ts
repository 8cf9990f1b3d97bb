/** Stable error codes of the event bus; they reach DLQ records, HTTP answers and metrics. */
export const BUS_ERROR_CODES = {
  unavailable: 'BUS.UNAVAILABLE',
  publishFailed: 'BUS.PUBLISH_FAILED',
  recordTooLarge: 'BUS.RECORD_TOO_LARGE',
  /** The broker refused the records for good (not an outage): a retry gets the same answer. */
  invalidTopic: 'BUS.INVALID_TOPIC',
  topicUnauthorized: 'BUS.TOPIC_UNAUTHORIZED',
  invalidRecord: 'BUS.INVALID_RECORD',
  notStarted: 'BUS.NOT_STARTED',
  invalidEvent: 'BUS.INVALID_EVENT',
  undecodable: 'EVENT.UNDECODABLE',
  retriesExhausted: 'HANDLER.RETRIES_EXHAUSTED',
} as const;

export class BusError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BusError';
  }
}

/** Kafka could not take the records (broker down, timeouts): callers answer 503 and retry later. */
export class BusUnavailableError extends BusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(BUS_ERROR_CODES.unavailable, message, options);
    this.name = 'BusUnavailableError';
  }
}

/** One record is larger than the broker takes: the caller answers 413, never 503. */
export class RecordTooLargeError extends BusError {
  constructor(
    readonly topic: string,
    readonly size: number,
    readonly limit: number,
    /** Position of the record in the publish() call. */
    readonly index: number,
  ) {
    super(BUS_ERROR_CODES.recordTooLarge, `record ${index} for ${topic} has ${size} bytes; the limit is ${limit}`);
    this.name = 'RecordTooLargeError';
  }
}

/**
 * Thrown by a handler for a record that can never succeed (a poison event): it is dead-lettered
 * at once instead of being retried.
 */
export class NonRetriableError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

/**
 * Thrown by a handler when a dependency it needs is down (e.g. Postgres). Such failures are retried
 * without limit (backoff capped) instead of dead-lettering every record of an outage.
 */
export class DependencyUnavailableError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
    this.code = code;
  }
}

export function errorCode(error: unknown, fallback = 'HANDLER.FAILED'): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return fallback;
}
