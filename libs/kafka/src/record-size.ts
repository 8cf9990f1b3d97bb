import type { Message } from 'kafkajs';

/** The largest record the bus publishes: below the broker's default max.message.bytes (1 MiB) with room for batch framing. */
export const MAX_RECORD_BYTES = 1_000_000;

/**
 * The most bytes one produce request carries. kafkajs writes the records of one partition in a
 * request as one record batch, and the broker refuses a batch over its `message.max.bytes`
 * (1,048,588 by default), so a request is kept under it whatever partitions its records land on.
 */
export const MAX_REQUEST_BYTES = 1_000_000;

/** Per-record framing in a v2 record batch (length, attributes, deltas, varints), generously. */
const RECORD_OVERHEAD = 64;
const HEADER_OVERHEAD = 16;

const size = (v: Buffer | string | null | undefined) =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

/** Bytes a record occupies in a record batch: key, value, headers and framing. */
export function recordBytes(message: Message): number {
  let bytes = RECORD_OVERHEAD + size(message.key) + size(message.value as Buffer | string | null);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) bytes += HEADER_OVERHEAD + Buffer.byteLength(name) + size(v as Buffer | string | undefined);
  }
  return bytes;
}

/** Splits messages, in order, into runs of at most `maxBytes` (a larger single message runs alone) and `maxRecords`. */
export function chunkByBytes<T>(
  items: T[],
  bytesOf: (item: T) => number,
  maxBytes = MAX_REQUEST_BYTES,
  maxRecords = 2_000,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = bytesOf(item);
    if (current.length > 0 && (bytes + n > maxBytes || current.length >= maxRecords)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
