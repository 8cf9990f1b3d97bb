import type { ErrorRequestHandler } from 'express';
import { HttpError } from '@kanal/http';

/**
 * Express decodes path parameters before any handler runs; a percent-encoding that is not UTF-8
 * (`%ED%A0%80`, an encoded lone surrogate; `%C0%80`, an overlong NUL) fails there with a URIError.
 * This maps that failure to the answer the route gives for any other bad value of the parameter
 * (`codes`, by parameter name) and names the parameter, without echoing the raw path (it can hold
 * an email address or a phone number). Mount it after the routes of `templates`.
 */
export function pathParamErrors(templates: string[], codes: Record<string, string>): ErrorRequestHandler {
  const routes = templates.map((t) => t.split('/'));
  return (error, req, _res, next) => {
    if (!(error instanceof URIError)) return next(error);
    const field = undecodableParam(routes, req.path.split('/')) ?? 'path';
    next(
      new HttpError(400, codes[field] ?? 'UNIFIER.INVALID_REQUEST', `${field} is not valid percent-encoded UTF-8`, {
        field,
      }),
    );
  };
}

/** The name of the parameter whose segment does not decode, in the first template the path fits. */
function undecodableParam(routes: string[][], segments: string[]): string | undefined {
  for (const route of routes) {
    if (route.length !== segments.length) continue;
    if (!route.every((part, i) => part.startsWith(':') || part === segments[i])) continue;
    const bad = route.findIndex((part, i) => part.startsWith(':') && !decodes(segments[i]!));
    if (bad >= 0) return route[bad]!.slice(1);
  }
  return undefined;
}

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}
