import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestUnifier } from './unifier-harness';

/**
 * Merges racing around a cycle (X+Y, Y+Z, Z+X at once) lock the same customers from every side:
 * each answer must be a merge (200) or a clear refusal (409 already merged), never a 500
 * "deadlock detected", and the three end as one customer.
 */
let u: Awaited<ReturnType<typeof startTestUnifier>>;
beforeAll(async () => {
  u = await startTestUnifier();
}, 60_000);
afterAll(() => u?.stop(), 60_000);

let serial = 0;
async function customers(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  for (const [i, id] of ids.entries()) {
    await u.pool.query(`INSERT INTO customers (id, created_at) VALUES ($1, now() - $2 * interval '1 second')`, [id, i]);
    // An external id: no per-type limit stops a ring of four.
    await u.pool.query(`INSERT INTO identities (type, value, customer_id) VALUES ('external', $1, $2)`, [
      `shop:race-${serial++}`,
      id,
    ]);
  }
  return ids;
}

it('answers the 18 parallel merges of the issue (X+Y, Y+Z, Z+X, six of each) without a 5xx', async () => {
  const [x, y, z] = (await customers(3)) as [string, string, string];
  const pairs = Array.from({ length: 6 }, () => [
    [x, y],
    [y, z],
    [z, x],
  ]).flat();
  const answers = await Promise.all(
    pairs.map((customerIds) => u.post('/v1/customers/merge', { customerIds, reason: 'issue 16 cycle' })),
  );
  expect(answers.map((a) => a.status).sort()).toEqual([...Array(2).fill(200), ...Array(16).fill(409)]);
  expect(new Set(answers.filter((a) => a.status === 409).map((a) => a.body.code))).toEqual(
    new Set(['UNIFIER.ALREADY_MERGED']),
  );
});

it('answers 100 rounds of cycle merges with 200 or 409, never a 5xx', async () => {
  const statuses = new Map<number, number>();
  const codes = new Map<string, number>();
  const started = Date.now();
  for (let round = 0; round < 100; round++) {
    // Three or four customers in a ring, each edge merged twice (6–8 merges at once).
    const ring = await customers(3 + (round % 2));
    const edges = ring.map((id, i) => [id, ring[(i + 1) % ring.length]!] as [string, string]);
    const answers = await Promise.all(
      [...edges, ...edges.map(([a, b]) => [b, a] as [string, string])].map((customerIds) =>
        u.post('/v1/customers/merge', { customerIds, reason: `race round ${round}` }),
      ),
    );
    for (const a of answers) {
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      if (a.status !== 200) codes.set(a.body.code, (codes.get(a.body.code) ?? 0) + 1);
    }
    expect(answers.filter((a) => a.status >= 500).map((a) => a.body)).toEqual([]);
    for (const a of answers) {
      if (a.status !== 200) expect(a).toMatchObject({ status: 409, body: { code: 'UNIFIER.ALREADY_MERGED' } });
    }
    // The ring is one customer, reached from every id; n customers take n - 1 merges.
    expect(answers.filter((a) => a.status === 200)).toHaveLength(ring.length - 1);
    const live = await Promise.all(ring.map((id) => u.get(`/v1/customers/${id}`)));
    expect(new Set(live.map((r) => r.body.id)).size).toBe(1);
  }
  console.log(
    `cycle merges: ${JSON.stringify(Object.fromEntries(statuses))} ${JSON.stringify(Object.fromEntries(codes))} in ${Date.now() - started} ms`,
  );
  expect([...statuses.keys()].every((s) => s === 200 || s === 409)).toBe(true);
}, 120_000);
