import type { Request } from 'express';
import { childTraceparent, isTraceparent } from '@kanal/observability';

const TRACE = Symbol('kanal.traceparent');

/**
 * The W3C trace context of a request's events: a span under the caller's `traceparent` header
 * (what OpenTelemetry HTTP clients send), or a new trace. One value per request, so every event a
 * request publishes shares it. Passed explicitly into the publish: async context does not survive
 * the body parser's stream callbacks.
 */
export function requestTraceparent(req: Request): string {
  const holder = req as Request & { [TRACE]?: string };
  if (!holder[TRACE]) {
    const header = req.get('traceparent')?.trim();
    holder[TRACE] = childTraceparent(isTraceparent(header) ? header : undefined);
  }
  return holder[TRACE];
}
