import express, { type Express } from 'express';
import { z } from 'zod';
import {
  buildEvent,
  customerEventId,
  identitySchema,
  IdentityError,
  isStorableText,
  normalizeIdentityValue,
  sanitizeName,
} from '@kanal/contracts';
import { HttpError, requireBearer } from '@kanal/http';
import type { Pool } from '@kanal/postgres';
import type { EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import type { IdentityPolicy } from '../identity/identity-policy';
import { enqueueApiEvents } from '../store/pg-api-outbox';
import { customerProfile, liveCustomerId, timelinePage, type TimelineCursor } from '../store/pg-read-model';
import { mergeByRequest } from '../use-cases/merge-by-request';
import { splitCustomer } from '../use-cases/split-customer';
import { MAX_ATTRIBUTES, updateCustomer } from '../use-cases/update-customer';
import { cursorTime, decodeCursor, encodeCursor } from './cursor';
import {
  apiTransaction,
  invalidCursor,
  limitParam,
  mapped,
  parseBody,
  publishOrLeaveToRelay,
  uuidParam,
  uuidSchema,
} from './http-input';
import { identityParam } from './identity-param';
import { pathParamErrors } from './path-param-errors';
import { UNSTORABLE_MESSAGE } from './storable-input';

export interface CustomerRoutesDeps {
  pool: Pool;
  bus: EventPublisher;
  policy: IdentityPolicy;
  auth: { tokens: string[]; disabled: boolean };
  defaultRegion: string;
  logger: Logger;
}

/** The routes with path parameters (pathParamErrors maps an undecodable one to these codes). */
export const CUSTOMER_PATHS = {
  customer: '/v1/customers/:id',
  timeline: '/v1/customers/:id/timeline',
  identity: '/v1/identities/:type/:value',
  split: '/v1/customers/:id/split',
};
const PARAM_CODES = { id: 'UNIFIER.INVALID_ID', type: 'UNIFIER.INVALID_IDENTITY_TYPE', value: 'IDENTITY.INVALID' };

// Every string of these bodies is also checked to be storable (parseBody): no NUL, no lone surrogate.
const mergeBody = z.object({
  customerIds: z.tuple([uuidSchema, uuidSchema]),
  reason: z.string().min(1).max(1_000),
  actor: z.string().max(256).optional(),
});

/** Exactly one of mergeId and identities (see splitCustomer); identities normalized as stored. */
const splitBody = (defaultRegion: string) =>
  z
    .object({
      mergeId: uuidSchema.optional(),
      identities: z
        .array(
          identitySchema.transform((identity, ctx) => {
            try {
              return {
                type: identity.type,
                value: normalizeIdentityValue(identity.type, identity.value, { defaultRegion }),
              };
            } catch (error) {
              if (!(error instanceof IdentityError)) throw error;
              ctx.addIssue({ code: 'custom', path: ['value'], message: error.message });
              return z.NEVER;
            }
          }),
        )
        .min(1)
        .max(50)
        .optional(),
      reason: z.string().min(1).max(1_000),
      actor: z.string().max(256).optional(),
    })
    .refine((b) => (b.mergeId === undefined) !== (b.identities === undefined), {
      message: 'name either a mergeId (undo that merge) or identities (split off exactly those), not both',
    });

/** [occurredAt as toISOString(), message id]: what timelinePage hands out. */
const timelineCursor: z.ZodType<TimelineCursor> = z.tuple([cursorTime(3), z.uuid()]);

// The limits of the contract's customer summary (`customerSummarySchema`): what events can carry.
const patchBody = z
  .object({
    // Bidi controls are stripped from names shown to agents, as at the intake (docs/architecture.md §1).
    displayName: z
      .string()
      // Refused before the bidi strip, which would otherwise also repair (hide) a NUL.
      .refine(isStorableText, UNSTORABLE_MESSAGE)
      .transform((name) => sanitizeName(name).text.trim())
      .pipe(z.string().min(1).max(256))
      .nullable()
      .optional(),
    attributes: z
      .record(z.string().min(1).max(128), z.string().max(1_024).nullable())
      .refine((a) => Object.keys(a).length <= MAX_ATTRIBUTES, { message: `at most ${MAX_ATTRIBUTES} attributes` })
      .optional(),
    actor: z.string().max(256).optional(),
  })
  .strict()
  .refine((b) => b.displayName !== undefined || b.attributes !== undefined, {
    message: 'name displayName or attributes to change',
  });

/** Profile, timeline, identity lookup (following merge redirects), patch, merge and split. */
export function customerRoutes(deps: CustomerRoutesDeps) {
  return (app: Express) => {
    const auth = requireBearer(deps.auth.tokens, { disabled: deps.auth.disabled });
    const json = express.json({ limit: '64kb' });
    const split = splitBody(deps.defaultRegion);

    app.get(CUSTOMER_PATHS.customer, auth, async (req, res) => {
      const profile = await customerProfile(deps.pool, uuidParam(req.params.id));
      if (!profile) throw new HttpError(404, 'UNIFIER.CUSTOMER_NOT_FOUND', 'no such customer');
      res.json(profile);
    });

    app.get(CUSTOMER_PATHS.timeline, auth, async (req, res) => {
      const id = await liveCustomerId(deps.pool, uuidParam(req.params.id));
      if (!id) throw new HttpError(404, 'UNIFIER.CUSTOMER_NOT_FOUND', 'no such customer');
      const limit = limitParam(req.query.limit, 200, 50);
      const raw = req.query.cursor;
      const after =
        raw === undefined ? undefined : typeof raw === 'string' ? decodeCursor(raw, timelineCursor) : undefined;
      if (raw !== undefined && !after) throw invalidCursor();
      const page = await timelinePage(deps.pool, id, limit, after);
      res.json({ customerId: id, items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
    });

    app.get(CUSTOMER_PATHS.identity, auth, async (req, res) => {
      const { type, value } = identityParam(req.params, deps.defaultRegion);
      const { rows } = await deps.pool.query<{ customer_id: string }>(
        'SELECT customer_id FROM identities WHERE type = $1 AND value = $2',
        [type, value],
      );
      if (!rows[0]) throw new HttpError(404, 'UNIFIER.IDENTITY_NOT_FOUND', 'no customer has this identity');
      const profile = await customerProfile(deps.pool, rows[0].customer_id);
      res.json({ customerId: profile!.id, identity: { type, value }, customer: profile });
    });

    app.patch(CUSTOMER_PATHS.customer, auth, json, async (req, res) => {
      const id = uuidParam(req.params.id);
      const patch = parseBody(patchBody, req.body ?? {});
      const result = await mapped(() =>
        apiTransaction(deps.pool, async (c) => {
          const updated = await updateCustomer(c, id, patch);
          if (updated.event) await enqueueApiEvents(c, [updated.event]);
          return updated;
        }),
      );
      if (result.event) await publishOrLeaveToRelay(deps, result.event);
      res.status(200).json(result.answer);
    });

    app.post('/v1/customers/merge', auth, json, async (req, res) => {
      const body = parseBody(mergeBody, req.body);
      const output = await mapped(() =>
        apiTransaction(deps.pool, async (c) => {
          const merged = await mergeByRequest(c, body.customerIds, { reason: body.reason, actor: body.actor }, deps.policy);
          await enqueueApiEvents(c, [merged]);
          return merged;
        }),
      );
      await publishOrLeaveToRelay(deps, output);
      res.status(200).json(output.event.data);
    });

    app.post(CUSTOMER_PATHS.split, auth, json, async (req, res) => {
      const id = uuidParam(req.params.id);
      const body = parseBody(split, req.body);
      const output = await mapped(() =>
        apiTransaction(deps.pool, async (c) => {
          const result = await splitCustomer(c, id, body);
          const event = buildEvent({
            type: 'kanal.customer.split.v1',
            id: customerEventId('split', result.splitId),
            source: 'kanal/unifier',
            subject: result.customerId,
            data: {
              ...result,
              reason: body.reason,
              ...(body.actor ? { actor: body.actor } : {}),
              splitAt: new Date().toISOString(),
            },
          });
          const entry = { key: result.customerId, event };
          await enqueueApiEvents(c, [entry]);
          return entry;
        }),
      );
      await publishOrLeaveToRelay(deps, output);
      res.status(200).json(output.event.data);
    });

    app.use(pathParamErrors(Object.values(CUSTOMER_PATHS), PARAM_CODES));
  };
}
