import { z } from 'zod';
import { storable } from './storable-input';

/** An opaque page cursor: base64url of a JSON value that only this API writes. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The cursor's value when it has the shape `schema` expects, else undefined: a cursor that was
 * edited, truncated or made up (valid base64url of the wrong JSON, or of strings Postgres cannot
 * store) is a bad request, never a 500.
 */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T | undefined {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = storable(schema).safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A UTC time as this API writes it into cursors (`toISOString()`, with 3 or 6 fraction digits),
 * checked to be a real instant Postgres reads: the shape alone lets `2026-99-99T99:99:99.000Z` or
 * year 0000 through, and Postgres answers those with an error (a 500).
 */
export function cursorTime(fractionDigits: 3 | 6) {
  const shape = new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{${fractionDigits}}Z$`);
  return z
    .string()
    .regex(shape)
    .refine((s) => {
      const millis = `${s.slice(0, 23)}Z`;
      const t = Date.parse(millis);
      return !s.startsWith('0000') && !Number.isNaN(t) && new Date(t).toISOString() === millis;
    }, 'not a real instant');
}
