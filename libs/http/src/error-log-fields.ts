import type { Request } from 'express';
import { maskPii } from '@kanal/observability';

/**
 * The route a request matched, as declared (`/v1/identities/:type/:value`), never the raw path:
 * paths carry identity values (an email address, a phone number) that must not reach a log line.
 * A request that matched no route (it failed in a middleware before one) is `(unmatched)`.
 */
export function routeTemplate(req: Request): string {
  const path: unknown = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : '(unmatched)';
}

/**
 * An unexpected error as a log field, with emails and phone numbers masked in its message and
 * stack: libraries (a driver, a parser) quote the input that made them fail.
 */
export function maskedError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: maskPii(String(error)) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: maskPii(error.message),
    ...(error.stack ? { stack: maskPii(error.stack) } : {}),
    ...(code !== undefined ? { code } : {}),
  };
}
