import express, { type Express } from 'express';
import { z } from 'zod';
import {
  buildEvent,
  customerEventId,
  identitySchema,
  identityTypeSchema,
  IdentityError,
  normalizeIdentityValue,
} from '@kanal/contracts';
import { HttpError, requireBearer } from '@kanal/http';
import { withTransaction, type Pool } from '@kanal/postgres';
import type { EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import type { IdentityPolicy } from '../identity/identity-policy';
import { enqueueApiEvents } from '../store/pg-api-outbox';
import { customerProfile, liveCustomerId, timelinePage } from '../store/pg-read-model';
import { mergeByRequest } from '../use-cases/merge-by-request';
import { splitCustomer } from '../use-cases/split-customer';
import { MAX_ATTRIBUTES, updateCustomer } from '../use-cases/update-customer';
import { invalidCursor, limitParam, mapped, parseBody, publishOrLeaveToRelay, uuidParam } from './http-input';

export interface CustomerRoutesDeps {
  pool: Pool;
  bus: EventPublisher;
  policy: IdentityPolicy;
  auth: { tokens: string[]; disabled: boolean };
  defaultRegion: string;
  logger: Logger;
}

const uuid = z.uuid();
const mergeBody = z.object({
  customerIds: z.tuple([uuid, uuid]),
  reason: z.string().min(1).max(1_000),
  actor: z.string().max(256).optional(),
});
const splitBody = z
  .object({
    mergeId: uuid.optional(),
    identities: z.array(identitySchema).max(50).optional(),
    reason: z.string().min(1).max(1_000),
    actor: z.string().max(256).optional(),
  })
  .refine((b) => b.mergeId || b.identities?.length, { message: 'name a mergeId or identities' });

// The limits of the contract's customer summary (`customerSummarySchema`): what events can carry.
const patchBody = z
  .object({
    displayName: z.string().trim().min(1).max(256).nullable().optional(),
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

    app.get('/v1/customers/:id', auth, async (req, res) => {
      const profile = await customerProfile(deps.pool, uuidParam(req.params.id));
      if (!profile) throw new HttpError(404, 'UNIFIER.CUSTOMER_NOT_FOUND', 'no such customer');
      res.json(profile);
    });

    app.get('/v1/customers/:id/timeline', auth, async (req, res) => {
      const id = await liveCustomerId(deps.pool, uuidParam(req.params.id));
      if (!id) throw new HttpError(404, 'UNIFIER.CUSTOMER_NOT_FOUND', 'no such customer');
      const limit = limitParam(req.query.limit, 200, 50);
      const cursor = req.query.cursor;
      if (cursor !== undefined && typeof cursor !== 'string') throw invalidCursor();
      const page = await timelinePage(deps.pool, id, limit, cursor);
      if (!page) throw invalidCursor();
      res.json({ customerId: id, ...page });
    });

    app.get('/v1/identities/:type/:value', auth, async (req, res) => {
      const type = identityTypeSchema.safeParse(req.params.type);
      if (!type.success)
        throw new HttpError(400, 'UNIFIER.INVALID_IDENTITY_TYPE', `unknown identity type "${req.params.type}"`);
      let value: string;
      try {
        value = normalizeIdentityValue(type.data, req.params.value as string, { defaultRegion: deps.defaultRegion });
      } catch (error) {
        if (error instanceof IdentityError) throw new HttpError(400, error.code, error.message);
        throw error;
      }
      const { rows } = await deps.pool.query<{ customer_id: string }>(
        'SELECT customer_id FROM identities WHERE type = $1 AND value = $2',
        [type.data, value],
      );
      if (!rows[0]) throw new HttpError(404, 'UNIFIER.IDENTITY_NOT_FOUND', 'no customer has this identity');
      const profile = await customerProfile(deps.pool, rows[0].customer_id);
      res.json({ customerId: profile!.id, identity: { type: type.data, value }, customer: profile });
    });

    app.patch('/v1/customers/:id', auth, json, async (req, res) => {
      const id = uuidParam(req.params.id);
      const patch = parseBody(patchBody, req.body ?? {});
      const result = await mapped(() =>
        withTransaction(deps.pool, async (c) => {
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
        withTransaction(deps.pool, async (c) => {
          const merged = await mergeByRequest(c, body.customerIds, { reason: body.reason, actor: body.actor }, deps.policy);
          await enqueueApiEvents(c, [merged]);
          return merged;
        }),
      );
      await publishOrLeaveToRelay(deps, output);
      res.status(200).json(output.event.data);
    });

    app.post('/v1/customers/:id/split', auth, json, async (req, res) => {
      const id = uuidParam(req.params.id);
      const body = parseBody(splitBody, req.body);
      const output = await mapped(() =>
        withTransaction(deps.pool, async (c) => {
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
  };
}
