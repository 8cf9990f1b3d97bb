import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { runner } from 'node-pg-migrate';
import { MIGRATIONS_DIR } from '../src/app';
import { DATABASE_URL, startTestUnifier } from './unifier-harness';

/**
 * A merged id keeps resolving however long the chain of merges behind it: redirects are kept flat
 * (path compression on every merge, restored by a split), where readers used to give up after 50
 * hops and answer 404.
 */
let u: Awaited<ReturnType<typeof startTestUnifier>>;
beforeAll(async () => {
  u = await startTestUnifier();
}, 60_000);
afterAll(() => u?.stop(), 60_000);

const MERGES = 60;

/** Customers c[0] … c[n-1], each older than the one before: every merge of the chain keeps the later one. */
async function chainOfCustomers(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  for (const [i, id] of ids.entries()) {
    await u.pool.query(
      `INSERT INTO customers (id, created_at) VALUES ($1, '2026-01-01'::timestamptz - $2 * interval '1 hour')`,
      [id, i],
    );
    await u.pool.query(`INSERT INTO identities (type, value, customer_id) VALUES ('external', $1, $2)`, [
      `crm:chain-${id}`,
      id,
    ]);
  }
  return ids;
}

it(`resolves the first id of a chain of ${MERGES} merges to the last survivor, and a split restores the chain`, async () => {
  const c = await chainOfCustomers(MERGES + 1);
  const merges: string[] = [];
  for (let i = 0; i < MERGES; i++) {
    // Name the survivor so far (c[i]) and the next, older customer: each merge moves the chain one on.
    const res = await u.post('/v1/customers/merge', { customerIds: [c[i], c[i + 1]], reason: `chain ${i}` });
    expect(res).toMatchObject({ status: 200, body: { survivorId: c[i + 1], mergedId: c[i] } });
    merges.push(res.body.mergeId);
  }
  const last = c[MERGES]!;
  expect(await u.get(`/v1/customers/${c[0]}`)).toMatchObject({ status: 200, body: { id: last, redirectedFrom: c[0] } });
  expect(await u.get(`/v1/customers/${c[0]}/timeline`)).toMatchObject({ status: 200, body: { customerId: last } });
  expect(await u.get(`/v1/identities/external/${encodeURIComponent(`crm:chain-${c[0]}`)}`)).toMatchObject({
    status: 200,
    body: { customerId: last },
  });
  expect(await u.patch(`/v1/customers/${c[0]}`, { attributes: { chain: 'yes' } })).toMatchObject({
    status: 200,
    body: { customerId: last, redirectedFrom: c[0] },
  });
  // Two ids of the chain are one customer already; the oldest id merges into the chain's survivor.
  expect(await u.post('/v1/customers/merge', { customerIds: [c[0], c[30]], reason: 'again' })).toMatchObject({
    status: 409,
    body: { code: 'UNIFIER.ALREADY_MERGED', details: { customerId: last } },
  });
  // Flat: every merged id of the chain names the live customer itself.
  const { rows } = await u.pool.query<{ merged_into: string }>(
    'SELECT DISTINCT merged_into FROM customers WHERE id = ANY($1::uuid[]) AND merged_into IS NOT NULL',
    [c],
  );
  expect(rows).toEqual([{ merged_into: last }]);

  // Undoing the last merge makes c[MERGES-1] live again, with every id that had been merged into it.
  expect(
    await u.post(`/v1/customers/${last}/split`, { mergeId: merges[MERGES - 1], reason: 'wrong merge' }),
  ).toMatchObject({
    status: 200,
    body: { customerId: last, newCustomerId: c[MERGES - 1], mergeId: merges[MERGES - 1] },
  });
  expect(await u.get(`/v1/customers/${c[0]}`)).toMatchObject({ status: 200, body: { id: c[MERGES - 1] } });
  expect(await u.get(`/v1/customers/${c[MERGES - 1]}`)).toMatchObject({ status: 200, body: { id: c[MERGES - 1] } });
  expect((await u.get(`/v1/customers/${last}`)).body.identities).toEqual([
    expect.objectContaining({ type: 'external', value: `crm:chain-${last}` }),
  ]);
  // A merge in the middle of the chain is not one into the live customer: it cannot be undone from there.
  expect(await u.post(`/v1/customers/${c[MERGES - 1]}/split`, { mergeId: merges[10], reason: 'x' })).toMatchObject({
    status: 404,
    body: { code: 'UNIFIER.MERGE_NOT_FOUND' },
  });
});

it('flattens the redirect chains stored before migration 0005', async () => {
  // A schema of its own, migrated to 0004, given a chain c0 → c1 → c2 → c3 the old way (first hop).
  const schema = `unifier_m5_${randomUUID().slice(0, 8)}`;
  const run = (count: number) =>
    runner({
      databaseUrl: DATABASE_URL,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      count,
      migrationsTable: 'pgmigrations',
      schema,
      migrationsSchema: schema,
      createSchema: true,
      createMigrationsSchema: true,
      singleTransaction: true,
      log: () => {},
    });
  try {
    await run(4);
    const c = Array.from({ length: 4 }, () => randomUUID());
    for (const [i, id] of [...c.entries()].reverse())
      await u.pool.query(`INSERT INTO ${schema}.customers (id, merged_into) VALUES ($1, $2)`, [id, c[i + 1] ?? null]);
    await run(Number.POSITIVE_INFINITY);
    const { rows } = await u.pool.query(
      `SELECT id, merged_into FROM ${schema}.customers ORDER BY merged_into NULLS LAST, id`,
    );
    expect(new Map(rows.map((r) => [r.id, r.merged_into]))).toEqual(
      new Map([
        [c[0], c[3]],
        [c[1], c[3]],
        [c[2], c[3]],
        [c[3], null],
      ]),
    );
  } finally {
    await u.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
});
