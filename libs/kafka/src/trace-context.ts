import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/** W3C trace context (version 00). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const storage = new AsyncLocalStorage<string>();

export function isTraceparent(value: string | undefined): value is string {
  if (!value) return false;
  const m = TRACEPARENT.exec(value);
  return m !== null && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!);
}

export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** Same trace, new span: what a record published while handling `parent` carries. */
export function childTraceparent(parent: string | undefined): string {
  if (!isTraceparent(parent)) return newTraceparent();
  const [, traceId, , flags] = TRACEPARENT.exec(parent)!;
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}

/** Runs `fn` with `traceparent` as the current context for any publish made inside it. */
export function runWithTraceparent<T>(traceparent: string, fn: () => T): T {
  return storage.run(traceparent, fn);
}

export function currentTraceparent(): string | undefined {
  return storage.getStore();
}
