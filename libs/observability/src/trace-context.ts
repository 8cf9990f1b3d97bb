import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** W3C trace context (version 00). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const storage = new AsyncLocalStorage<string>();

export function isTraceparent(value: string | undefined): value is string {
  if (!value) return false;
  const m = TRACEPARENT.exec(value);
  return m !== null && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!);
}

/**
 * Random hex from randomUUID, which draws from a cached entropy pool: randomBytes() made one
 * getrandom syscall per id and showed up at ~5% of a webhook's CPU profile. The version and variant
 * nibbles are dropped, so every hex digit here is random.
 */
function randomHex(length: 16 | 32): string {
  const hex = (randomUUID() + randomUUID()).replace(/-/g, '');
  // Drop positions 12 and 16 of each UUID (version, variant) to keep only random digits.
  const clean = hex.slice(0, 12) + hex.slice(13, 16) + hex.slice(17, 32) + hex.slice(32, 44) + hex.slice(45, 48) + hex.slice(49);
  return clean.slice(0, length);
}

export function newTraceparent(): string {
  return `00-${randomHex(32)}-${randomHex(16)}-01`;
}

/** Same trace, new span: what a record published while handling `parent` carries. */
export function childTraceparent(parent: string | undefined): string {
  if (!isTraceparent(parent)) return newTraceparent();
  const [, traceId, , flags] = TRACEPARENT.exec(parent)!;
  return `00-${traceId}-${randomHex(16)}-${flags}`;
}

/** Runs `fn` with `traceparent` as the current context for any publish made inside it. */
export function runWithTraceparent<T>(traceparent: string, fn: () => T): T {
  return storage.run(traceparent, fn);
}

export function currentTraceparent(): string | undefined {
  return storage.getStore();
}
