import { z } from 'zod';
import { describeIssues, isStorableText } from '@kanal/contracts';
import { HttpError } from '@kanal/http';

/*
 * Every value a request brings is checked here, once, before it reaches a query: Postgres refuses
 * a NUL or an unpaired surrogate with an error (a 500), so those answer 400 naming the field.
 */

const storable = { message: 'contains a NUL character or an unpaired UTF-16 surrogate' };

/** A free string the router keeps or passes on (an agent id): storable, bounded. */
const text = (max: number) => z.string().max(max).refine(isStorableText, storable);

/**
 * Conversation and customer ids are the unifier's, always UUIDs (its API refuses anything else
 * too); a UUID is storable by construction.
 */
const uuid = z.uuid({ message: 'must be a UUID' });

export const idParams = z.object({ id: uuid });

export const respondedBody = z
  .object({
    /** Bounded against the clock and the conversation separately (response-time.ts). */
    at: z.iso.datetime({ offset: true }).optional(),
    actor: text(256).optional(),
  })
  .strict();

/**
 * `value` checked against `schema`; a 400 with `code` names every wrong field (`details.fields`),
 * and the first one in `details.field`.
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, code: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
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
  throw new HttpError(400, code, describeIssues(r.error.issues), { field: fields[0], fields });
}
