import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { id, inbound, startTestUnifier } from './unifier-harness';

/**
 * `POST /v1/customers/{id}/split` names either a merge (undone whole) or identities (exactly those
 * split off, no merge undone): services/unifier/README.md "Split".
 */
let u: Awaited<ReturnType<typeof startTestUnifier>>;
beforeAll(async () => {
  u = await startTestUnifier();
}, 60_000);
afterAll(() => u?.stop(), 60_000);

let k = 0;
/**
 * A (older) writes from phone+email; B once from both of its identities, then from its phone on
 * WhatsApp and from its email by mail; then B is merged into A.
 */
async function mergedPair() {
  k++;
  const a = { phone: `+9053279${String(k).padStart(5, '0')}`, email: `a${k}@example.com` };
  const b = { phone: `+9053278${String(k).padStart(5, '0')}`, email: `b${k}@example.com` };
  const ma = inbound({ from: { identities: [id('phone', a.phone), id('email', a.email)] }, text: 'a' });
  await u.publish(ma);
  const aId = (await u.unified(ma.id)).data.customer.id;
  const mb0 = inbound({ from: { identities: [id('phone', b.phone), id('email', b.email)] }, text: 'b from both' });
  const mb1 = inbound({ from: { identities: [id('phone', b.phone)] }, text: 'b by phone' });
  const mb2 = inbound({
    channel: 'email',
    provider: 'imap',
    from: { identities: [id('email', b.email)] },
    text: 'b by mail',
  });
  await u.publish(mb0);
  const bId = (await u.unified(mb0.id)).data.customer.id;
  await u.publish(mb1);
  expect((await u.unified(mb1.id)).data.customer.id).toBe(bId);
  await u.publish(mb2);
  expect((await u.unified(mb2.id)).data.customer.id).toBe(bId);
  await u.pool.query(`UPDATE customers SET created_at = '2020-01-01' WHERE id = $1`, [aId]);
  const merge = await u.post('/v1/customers/merge', { customerIds: [bId, aId], reason: 'same person' });
  expect(merge).toMatchObject({ status: 200, body: { survivorId: aId, mergedId: bId } });
  return { a, b, aId, bId, mergeId: merge.body.mergeId as string };
}

const ownerOf = async (type: string, value: string) =>
  (await u.get(`/v1/identities/${type}/${encodeURIComponent(value)}`)).body.customerId;
const texts = async (customerId: string) =>
  ((await u.get(`/v1/customers/${customerId}/timeline`)).body.items as Array<{ text: string }>)
    .map((i) => i.text)
    .sort();

describe('split by identities', () => {
  it('splits off exactly the named identity and its messages, and undoes no merge', async () => {
    const p = await mergedPair();
    const res = await u.post(`/v1/customers/${p.aId}/split`, {
      identities: [id('email', p.b.email.toUpperCase())], // normalized as stored
      reason: 'that address is someone else',
    });
    expect(res.status).toBe(200);
    // The messages sent from it move with it (also the one sent from both of B's identities).
    expect(res.body).toMatchObject({ customerId: p.aId, identities: [id('email', p.b.email)], movedMessages: 2 });
    expect(res.body).not.toHaveProperty('mergeId');
    expect(res.body.newCustomerId).not.toBe(p.bId);
    expect(await ownerOf('email', p.b.email)).toBe(res.body.newCustomerId);
    // B's other identity, B's id and the merge stay as they were.
    expect(await ownerOf('phone', p.b.phone)).toBe(p.aId);
    expect((await u.get(`/v1/customers/${p.bId}`)).body).toMatchObject({ id: p.aId, redirectedFrom: p.bId });
    const profile = (await u.get(`/v1/customers/${p.aId}`)).body;
    expect(profile.merges.find((m: { mergeId: string }) => m.mergeId === p.mergeId)).not.toHaveProperty('undoneAt');
    expect(await texts(p.aId)).toEqual(['a', 'b by phone']);
    expect(await texts(res.body.newCustomerId)).toEqual(['b by mail', 'b from both']);

    // Undoing the merge afterwards gives B back what A still has of it: the phone and its message.
    const undo = await u.post(`/v1/customers/${p.aId}/split`, { mergeId: p.mergeId, reason: 'wrong merge' });
    expect(undo).toMatchObject({
      status: 200,
      body: { mergeId: p.mergeId, newCustomerId: p.bId, identities: [id('phone', p.b.phone)], movedMessages: 1 },
    });
    expect(await ownerOf('phone', p.b.phone)).toBe(p.bId);
    expect(await ownerOf('email', p.b.email)).toBe(res.body.newCustomerId);
    expect(await texts(p.bId)).toEqual(['b by phone']);
  });

  it('moves nothing when any named identity is not the customer’s (409 IDENTITY_NOT_OWNED, naming them)', async () => {
    const p = await mergedPair();
    const res = await u.post(`/v1/customers/${p.aId}/split`, {
      identities: [id('phone', p.b.phone), id('email', 'stranger@example.com')],
      reason: 'x',
    });
    expect(res).toMatchObject({
      status: 409,
      body: { code: 'UNIFIER.IDENTITY_NOT_OWNED', details: { identities: [id('email', 'stranger@example.com')] } },
    });
    expect(await ownerOf('phone', p.b.phone)).toBe(p.aId);
  });

  it('answers a body naming both or neither with 400, and a bad identity naming the field', async () => {
    const p = await mergedPair();
    for (const body of [
      { mergeId: p.mergeId, identities: [id('phone', p.b.phone)], reason: 'x' },
      { reason: 'x' },
      { identities: [], reason: 'x' },
    ])
      expect(await u.post(`/v1/customers/${p.aId}/split`, body)).toMatchObject({
        status: 400,
        body: { code: 'UNIFIER.INVALID_REQUEST' },
      });
    expect(
      await u.post(`/v1/customers/${p.aId}/split`, { identities: [id('phone', 'call me')], reason: 'x' }),
    ).toMatchObject({
      status: 400,
      body: { code: 'UNIFIER.INVALID_REQUEST', details: { fields: ['identities.0.value'] } },
    });
    expect(await ownerOf('phone', p.b.phone)).toBe(p.aId);
  });
});

describe('split by merge', () => {
  it('undoes the whole merge: every identity and message it moved goes back', async () => {
    const p = await mergedPair();
    const res = await u.post(`/v1/customers/${p.aId}/split`, { mergeId: p.mergeId, reason: 'wrong merge' });
    expect(res).toMatchObject({ status: 200, body: { customerId: p.aId, newCustomerId: p.bId, movedMessages: 3 } });
    expect(new Set(res.body.identities)).toEqual(new Set([id('phone', p.b.phone), id('email', p.b.email)]));
    expect(await texts(p.bId)).toEqual(['b by mail', 'b by phone', 'b from both']);
    expect(await texts(p.aId)).toEqual(['a']);
    for (const mergeId of [p.mergeId, randomUUID()])
      expect(await u.post(`/v1/customers/${p.aId}/split`, { mergeId, reason: 'again' })).toMatchObject({
        status: 404,
        body: { code: 'UNIFIER.MERGE_NOT_FOUND' },
      });
  });

  it('gives back what had been merged into the merged customer too (its ids and their messages)', async () => {
    const customerOf = async (phone: string, text: string) => {
      const m = inbound({ from: { identities: [id('phone', phone)] }, text });
      await u.publish(m);
      return (await u.unified(m.id)).data.customer.id;
    };
    const [a, b, c] = [
      await customerOf('+905327700101', 'from a'),
      await customerOf('+905327700102', 'from b'),
      await customerOf('+905327700103', 'from c'),
    ];
    await u.pool.query(
      `UPDATE customers SET created_at = '2020-01-01'::timestamptz + (ord * interval '1 day')
      FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, ord) WHERE customers.id = x.id`,
      [[a, b, c]],
    );
    expect(await u.post('/v1/customers/merge', { customerIds: [c, b], reason: 'c is b' })).toMatchObject({
      status: 200,
      body: { survivorId: b },
    });
    const ab = await u.post('/v1/customers/merge', { customerIds: [b, a], reason: 'b is a' });
    expect(ab).toMatchObject({ status: 200, body: { survivorId: a } });
    expect(await texts(a)).toEqual(['from a', 'from b', 'from c']);

    const undo = await u.post(`/v1/customers/${a}/split`, { mergeId: ab.body.mergeId, reason: 'b is not a' });
    expect(undo).toMatchObject({ status: 200, body: { newCustomerId: b, movedMessages: 2 } });
    expect(await texts(b)).toEqual(['from b', 'from c']);
    expect(await texts(a)).toEqual(['from a']);
    expect((await u.get(`/v1/customers/${c}`)).body).toMatchObject({ id: b, redirectedFrom: c });
    expect(await ownerOf('phone', '+905327700103')).toBe(b);
  });
});
