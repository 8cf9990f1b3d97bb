import express, { type Express } from 'express';
import { z } from 'zod';
import {
  buildEvent,
  customerEventId,
  describeIssues,
  identitySchema,
  identityTypeSchema,
  IdentityError,
  normalizeIdentityValue,
} from '@kanal/contracts';
import { HttpError, requireBearer } from '@kanal/http';
import { withTransaction, type Pool } from '@kanal/postgres';
import type { EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import { TOPICS } from '@kanal/contracts';
import type { IdentityPolicy } from '../identity/identity-policy';
import { enqueueApiEvents, forgetPublished } from '../store/pg-api-outbox';
import type { OutboxEntry } from '../store/pg-outbox';
import { customerProfile, liveCustomerId, timelinePage } from '../store/pg-read-model';
import { mergeByRequest } from '../use-cases/merge-by-request';
import { splitCustomer, UnifierError } from '../use-cases/split-customer';

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

const STATUS: Record<string, number> = {
  'UNIFIER.CUSTOMER_NOT_FOUND': 404,
  'UNIFIER.MERGE_NOT_FOUND': 404,
  'UNIFIER.ALREADY_MERGED': 409,
  'UNIFIER.LIMIT_EXCEEDED': 409,
  'UNIFIER.NOTHING_TO_SPLIT': 400,
  'UNIFIER.IDENTITY_NOT_OWNED': 409,
};

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, 'UNIFIER.INVALID_REQUEST', describeIssues(r.error.issues));
  return r.data;
}

function customerIdParam(raw: string): string {
  if (!uuid.safeParse(raw).success) throw new HttpError(400, 'UNIFIER.INVALID_ID', 'customer id must be a UUID');
  return raw;
}

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof UnifierError) throw new HttpError(STATUS[error.code] ?? 400, error.code, error.message);
    throw error;
  }
}

/** DESIGN §5: profile, timeline, identity lookup (following merge redirects), merge and split. */
export function customerRoutes(deps: CustomerRoutesDeps) {
  return (app: Express) => {
    const auth = requireBearer(deps.auth.tokens, { disabled: deps.auth.disabled });
    const json = express.json({ limit: '64kb' });

    app.get('/v1/customers/:id', auth, async (req, res) => {
      const profile = await customerProfile(deps.pool, customerIdParam(req.params.id as string));
      if (!profile) throw new HttpError(404, 'UNIFIER.CUSTOMER_NOT_FOUND', 'no such customer');
      res.json(profile);
    });

    app.get('/v1/customers/:id/timeline', auth, async (req, res) => {
      const id = await liveCustomerId(deps.pool, customerIdParam(req.params.id as string));
      if (!id) throw new HttpError(404, 'UNIFIER.CUSTOMER_NOT_FOUND', 'no such customer');
      const limit = z.coerce
        .number()
        .int()
        .min(1)
        .max(200)
        .default(50)
        .safeParse(req.query.limit ?? undefined);
      if (!limit.success) throw new HttpError(400, 'UNIFIER.INVALID_LIMIT', 'limit must be 1..200');
      const page = await timelinePage(
        deps.pool,
        id,
        limit.data,
        typeof req.query.cursor === 'string' ? req.query.cursor : undefined,
      );
      if (!page) throw new HttpError(400, 'UNIFIER.INVALID_CURSOR', 'cursor is not one this API issued');
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

    app.post('/v1/customers/merge', auth, json, async (req, res) => {
      const body = parse(mergeBody, req.body);
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
      const id = customerIdParam(req.params.id as string);
      const body = parse(splitBody, req.body);
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

/**
 * The change is committed and its event queued with it: publish now for low latency, and when
 * Kafka is unavailable leave it to the relay (the answer stays 200, because the change happened).
 */
async function publishOrLeaveToRelay(deps: CustomerRoutesDeps, entry: OutboxEntry): Promise<void> {
  try {
    await deps.bus.publish([{ topic: TOPICS.customers, key: entry.key, event: entry.event }]);
    await forgetPublished(deps.pool, [entry.event.id]);
  } catch (err) {
    deps.logger.warn({ err, code: (err as { code?: string }).code, eventId: entry.event.id }, 'event left to the outbox relay');
  }
}
