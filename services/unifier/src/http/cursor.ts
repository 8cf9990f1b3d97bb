import type { z } from 'zod';

/** An opaque page cursor: base64url of a JSON value that only this API writes. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The cursor's value when it has the shape `schema` expects, else undefined: a cursor that was
 * edited, truncated or made up (valid base64url of the wrong JSON) is a bad request, never a 500.
 */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T | undefined {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
