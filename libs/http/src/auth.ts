import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './http-error';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer-token check with a constant-time compare (hashing first gives equal lengths, so the
 * compare leaks neither the token nor its length).
 */
export function requireBearer(tokens: string[], { disabled = false }: { disabled?: boolean } = {}): RequestHandler {
  const expected = tokens.map(digest);
  return (req, _res, next) => {
    if (disabled) return next();
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m)
      return next(new HttpError(401, 'AUTH.MISSING_TOKEN', 'missing bearer token (Authorization: Bearer <token>)'));
    const given = digest(m[1]!);
    let ok = false;
    for (const e of expected) ok = timingSafeEqual(e, given) || ok;
    if (!ok) return next(new HttpError(401, 'AUTH.INVALID_TOKEN', 'invalid bearer token'));
    next();
  };
}
