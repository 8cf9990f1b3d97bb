import express, { type Express } from 'express';
import { z } from 'zod';
import { HttpError, requireBearer } from '@kanal/http';
import { SESSION_ID_PATTERN } from '../config';
import type { SessionManager } from '../session/session-manager';

const pairBody = z.object({ phoneNumber: z.string().max(32).optional() }).strict();

export interface SessionRoutesOptions {
  manager: SessionManager;
  auth: { tokens: string[]; disabled: boolean };
  bodyLimit: string;
}

/** `GET /v1/sessions` and `POST /v1/sessions/{id}/pair` (QR string, or pairing code for a phone). */
export function sessionRoutes({ manager, auth, bodyLimit }: SessionRoutesOptions) {
  return (app: Express) => {
    const guard = requireBearer(auth.tokens, { disabled: auth.disabled });
    app.get('/v1/sessions', guard, async (_req, res) => {
      res.json({ items: await manager.list() });
    });
    app.post('/v1/sessions/:id/pair', guard, express.json({ limit: bodyLimit }), async (req, res) => {
      const id = String(req.params.id);
      if (!SESSION_ID_PATTERN.test(id)) throw new HttpError(400, 'SESSION.INVALID_ID', 'session ids are 1-64 of A-Z a-z 0-9 _ -');
      const body = pairBody.safeParse(req.body ?? {});
      if (!body.success) throw new HttpError(400, 'SESSION.INVALID_BODY', 'body may only contain phoneNumber (string)');
      res.status(201).json({ id, ...(await manager.pair(id, body.data.phoneNumber)) });
    });
  };
}
