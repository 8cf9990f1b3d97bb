import { z } from 'zod';
import { describeIssues, TOPICS } from '@kanal/contracts';
import { HttpError } from '@kanal/http';
import type { EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import { withTransaction, type Pool, type PoolClient } from '@kanal/postgres';
import { forgetPublished } from '../store/pg-api-outbox';
import type { OutboxEntry } from '../store/pg-outbox';
import { UnifierError } from '../use-cases/split-customer';
import { storable } from './storable-input';

/**
 * A UUID in its canonical lower-case form: Postgres reads `A…` and `a…` as one id, and two
 * spellings of one customer must never pass for two customers (a self-merge, say).
 */
export const uuidSchema = z.uuid().transform((id) => id.toLowerCase());

/** HTTP status of each use-case error code (anything else is a 400). */
const STATUS: Record<string, number> = {
  'UNIFIER.CUSTOMER_NOT_FOUND': 404,
  'UNIFIER.MERGE_NOT_FOUND': 404,
  'UNIFIER.SUGGESTION_NOT_FOUND': 404,
  'UNIFIER.ALREADY_MERGED': 409,
  'UNIFIER.LIMIT_EXCEEDED': 409,
  'UNIFIER.NOTHING_TO_SPLIT': 400,
  'UNIFIER.SELF_MERGE': 400,
  'UNIFIER.IDENTITY_NOT_OWNED': 409,
  'UNIFIER.SUGGESTION_NOT_OPEN': 409,
  'UNIFIER.SUGGESTION_WITHOUT_CANDIDATE': 409,
  'UNIFIER.SUGGESTION_MOOT': 409,
};

/**
 * A body checked against its schema, and every string in it storable by Postgres (no NUL, no
 * unpaired surrogate); a 400 names every field that is wrong (`details.fields`).
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = storable(schema).safeParse(body);
  if (!r.success) {
    const fields = [
      ...new Set(
        r.error.issues.flatMap((i) => {
          const at = i.path.map(String);
          // An unknown field is named itself, not the object holding it.
          const names = i.code === 'unrecognized_keys' ? i.keys.map((key) => [...at, key]) : [at];
          return names.map((n) => n.join('.') || '(body)');
        }),
      ),
    ];
    throw new HttpError(400, 'UNIFIER.INVALID_REQUEST', describeIssues(r.error.issues), { fields });
  }
  return r.data;
}

/** A path id that must be a UUID; `what` names it in the answer ("customer id"). */
export function uuidParam(raw: unknown, what = 'customer id', field = 'id'): string {
  const r = uuidSchema.safeParse(raw);
  if (!r.success) throw new HttpError(400, 'UNIFIER.INVALID_ID', `${what} must be a UUID`, { field });
  return r.data;
}

/** `?limit=` in 1..max, `fallback` when absent. */
export function limitParam(raw: unknown, max: number, fallback: number): number {
  const r = z.coerce
    .number()
    .int()
    .min(1)
    .max(max)
    .default(fallback)
    .safeParse(raw ?? undefined);
  if (!r.success) throw new HttpError(400, 'UNIFIER.INVALID_LIMIT', `limit must be 1..${max}`, { field: 'limit' });
  return r.data;
}

export const invalidCursor = () =>
  new HttpError(400, 'UNIFIER.INVALID_CURSOR', 'cursor is not one this API issued', { field: 'cursor' });

/**
 * The transaction of one API change. A restart (deadlock, serialization failure, or a customer
 * merged or split while lockResolved waited) happens only when another change to the same
 * customers committed meanwhile, so each one is progress; ten attempts outlast any realistic
 * pile-up of agents on one customer (100 rounds of 6–8 merges racing around a ring need at most
 * four, test/merge-concurrency.int.spec.ts).
 */
export function apiTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, fn, { retries: 10 });
}

const RESTART_CODES = new Set(['40001', '40P01']);

/** Runs a use case, answering its errors with their status and code. */
export async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof UnifierError)
      throw new HttpError(STATUS[error.code] ?? 400, error.code, error.message, error.details);
    // Out of attempts: the change did not happen and may be sent again; a 503 says so (a 500 would not).
    if (RESTART_CODES.has((error as { code?: string }).code ?? ''))
      throw new HttpError(503, 'UNIFIER.CONTENDED', 'the customers are being changed concurrently; try again');
    throw error;
  }
}

/**
 * The change is committed and its event queued with it: publish now for low latency, and when
 * Kafka is unavailable leave it to the relay (the answer stays 200, because the change happened).
 */
export async function publishOrLeaveToRelay(
  deps: { pool: Pool; bus: EventPublisher; logger: Logger },
  entry: OutboxEntry,
): Promise<void> {
  try {
    await deps.bus.publish([{ topic: TOPICS.customers, key: entry.key, event: entry.event }]);
    await forgetPublished(deps.pool, [entry.event.id]);
  } catch (err) {
    deps.logger.warn(
      { err, code: (err as { code?: string }).code, eventId: entry.event.id },
      'event left to the outbox relay',
    );
  }
}
