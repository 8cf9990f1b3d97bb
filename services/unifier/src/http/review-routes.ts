import express, { type Express } from 'express';
import { z } from 'zod';
import { HttpError, requireBearer } from '@kanal/http';
import type { EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import type { Pool, PoolClient } from '@kanal/postgres';
import type { IdentityPolicy } from '../identity/identity-policy';
import { enqueueApiEvents } from '../store/pg-api-outbox';
import type { SuggestionStatus } from '../store/pg-suggestion-review';
import { listBlocked, type BlockedCursor } from '../use-cases/list-blocked';
import { listSuggestions } from '../use-cases/list-suggestions';
import { acceptSuggestion, rejectSuggestion, type ReviewOutcome } from '../use-cases/review-suggestion';
import { cursorTime, decodeCursor, encodeCursor } from './cursor';
import { pathParamErrors } from './path-param-errors';
import {
  apiTransaction,
  invalidCursor,
  limitParam,
  mapped,
  parseBody,
  publishOrLeaveToRelay,
  uuidParam,
} from './http-input';

export interface ReviewRoutesDeps {
  pool: Pool;
  bus: EventPublisher;
  policy: IdentityPolicy;
  auth: { tokens: string[]; disabled: boolean };
  logger: Logger;
}

/** The routes with path parameters (pathParamErrors maps an undecodable one to these codes). */
export const REVIEW_PATHS = {
  accept: '/v1/link-suggestions/:id/accept',
  reject: '/v1/link-suggestions/:id/reject',
};

const STATUSES = ['open', 'accepted', 'rejected'] as const;
const reviewBody = z
  .object({ actor: z.string().min(1).max(256).optional(), reason: z.string().min(1).max(1_000).optional() })
  .strict();
/** [created_at at microsecond precision, id]: what listSuggestions hands out. */
const suggestionCursor = z.tuple([cursorTime(6), z.uuid()]);
const blockedCursor: z.ZodType<BlockedCursor> = z.union([
  z.object({ s: z.number().int().min(1).max(1_000_000) }).strict(),
  z.object({ l: z.tuple([z.string().max(64), z.string().max(400)]) }).strict(),
]);

function cursorParam<T>(raw: unknown, schema: z.ZodType<T>): T | undefined {
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' ? decodeCursor(raw, schema) : undefined;
  if (value === undefined) throw invalidCursor();
  return value;
}

/** The review surface: link suggestions (list, accept, reject) and the blocked values. */
export function reviewRoutes(deps: ReviewRoutesDeps) {
  return (app: Express) => {
    const auth = requireBearer(deps.auth.tokens, { disabled: deps.auth.disabled });
    const json = express.json({ limit: '16kb' });

    app.get('/v1/link-suggestions', auth, async (req, res) => {
      const status = req.query.status ?? 'open';
      if (!STATUSES.includes(status as SuggestionStatus))
        throw new HttpError(400, 'UNIFIER.INVALID_STATUS', 'status must be open, accepted or rejected', {
          field: 'status',
        });
      const limit = limitParam(req.query.limit, 200, 50);
      const after = cursorParam(req.query.cursor, suggestionCursor);
      const page = await listSuggestions(deps.pool, status as SuggestionStatus, limit, after);
      res.json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
    });

    type Decide = (client: PoolClient, id: string, body: z.infer<typeof reviewBody>) => Promise<ReviewOutcome>;
    const review =
      (decide: Decide) =>
      async (req: express.Request, res: express.Response): Promise<void> => {
        const id = uuidParam(req.params.id, 'suggestion id');
        const body = parseBody(reviewBody, req.body ?? {});
        const outcome = await mapped(() =>
          apiTransaction(deps.pool, async (c) => {
            const decided = await decide(c, id, body);
            if (decided.event) await enqueueApiEvents(c, [decided.event]);
            return decided;
          }),
        );
        if (outcome.event) await publishOrLeaveToRelay(deps, outcome.event);
        res.status(200).json(outcome.answer);
      };

    app.post(
      REVIEW_PATHS.accept,
      auth,
      json,
      review((c, id, body) => acceptSuggestion(c, id, body, deps.policy)),
    );
    app.post(
      REVIEW_PATHS.reject,
      auth,
      json,
      review((c, id, body) => rejectSuggestion(c, id, body)),
    );

    app.get('/v1/identities/blocked', auth, async (req, res) => {
      const limit = limitParam(req.query.limit, 500, 100);
      const page = await listBlocked(deps.pool, deps.policy, limit, cursorParam(req.query.cursor, blockedCursor));
      res.json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
    });

    app.use(pathParamErrors(Object.values(REVIEW_PATHS), { id: 'UNIFIER.INVALID_ID' }));
  };
}
