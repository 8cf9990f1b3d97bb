/**
 * What happens when a message cannot become an event. Two kinds, and each has one path:
 * - the infrastructure failed (IMAP connection, blob store, Postgres, the disk): the error is
 *   rethrown, the cursor stays, and the page is retried from the cursor later;
 * - the message itself cannot be parsed or mapped: it becomes a provider dead letter with its
 *   raw bytes, published before the cursor moves past it, and the mailbox carries on.
 */

const RETRIABLE = Symbol.for('kanal.connector-email.retriable');

export type FailureStage = 'parse' | 'map';

/** Marks an error of the infrastructure (see above); returns it for `throw retriable(e)`. */
export function retriable<T>(error: T): T {
  if (error !== null && typeof error === 'object') Object.defineProperty(error, RETRIABLE, { value: true });
  return error;
}

/** Marked errors and Node's system errors (ENOSPC, ECONNRESET… carry `syscall`) are the infrastructure's. */
export function isRetriable(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  return (
    (error as Record<symbol, unknown>)[RETRIABLE] === true ||
    typeof (error as { syscall?: unknown }).syscall === 'string'
  );
}

/** The dead letter's stable code: the error's own `EMAIL.*` code, or the stage's. */
export function failureCode(error: unknown, stage: FailureStage): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('EMAIL.')) return code;
  return stage === 'parse' ? 'EMAIL.PARSE_FAILED' : 'EMAIL.MAP_FAILED';
}

/** For the operator: the library's words (they name limits and structure, never message content). */
export function failureMessage(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | undefined;
  const code = typeof e?.code === 'string' && !e.code.startsWith('EMAIL.') ? ` [${e.code}]` : '';
  return `${typeof e?.message === 'string' ? e.message : String(error)}${code}`.slice(0, 500);
}
