import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CloudEvent } from '@kanal/contracts';
import { waitFor } from '@kanal/testing';
import { id, inbound, startTestUnifier } from './unifier-harness';

/** `PATCH /v1/customers/{id}`: an agent's name and attributes, announced as kanal.customer.updated.v1. */
let u: Awaited<ReturnType<typeof startTestUnifier>>;
beforeAll(async () => {
  u = await startTestUnifier();
}, 60_000);
afterAll(() => u?.stop(), 60_000);

async function customer(phone: string) {
  const m = inbound({ from: { displayName: 'ayse', identities: [id('phone', phone)] } });
  await u.publish(m);
  return (await u.unified(m.id)).data.customer.id;
}

type Updated = CloudEvent & { data: { updateId: string; customerId: string; changes: Record<string, unknown> } };
const updatesOf = (customerId: string) =>
  u.of('kanal.customer.updated.v1').filter((e) => e.subject === customerId) as Updated[];

describe('PATCH /v1/customers/{id}', () => {
  it('sets the name and attributes, announces the change, and later messages carry the attributes', async () => {
    const c = await customer('+905327770001');
    const res = await u.patch(`/v1/customers/${c}`, {
      displayName: 'Ayşe Yılmaz',
      attributes: { tier: 'vip', language: 'tr' },
      actor: 'agent-3',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      customerId: c,
      customer: {
        id: c,
        displayName: 'Ayşe Yılmaz',
        attributes: { tier: 'vip', language: 'tr' },
        identities: [id('phone', '+905327770001')],
      },
      changes: { displayName: 'Ayşe Yılmaz', attributes: { tier: 'vip', language: 'tr' } },
      actor: 'agent-3',
    });
    const event = await waitFor(() => updatesOf(c)[0], { what: 'the updated event' });
    expect(event.data).toEqual(res.body);
    expect(event.id).not.toBe(res.body.updateId); // the event id derives from the update id

    const next = inbound({ from: { identities: [id('phone', '+905327770001')] } });
    await u.publish(next);
    expect((await u.unified(next.id)).data.customer).toMatchObject({
      displayName: 'Ayşe Yılmaz',
      attributes: { tier: 'vip', language: 'tr' },
    });
    expect((await u.get(`/v1/customers/${c}`)).body).toMatchObject({
      displayName: 'Ayşe Yılmaz',
      attributes: { tier: 'vip', language: 'tr' },
    });
  });

  it('removes attributes given null, announces only what changed, and nothing when nothing changed', async () => {
    const c = await customer('+905327770002');
    await u.patch(`/v1/customers/${c}`, { attributes: { tier: 'vip', language: 'tr' } });
    const removed = await u.patch(`/v1/customers/${c}`, { attributes: { tier: null, language: 'tr', absent: null } });
    expect(removed.body).toMatchObject({
      changes: { attributes: { tier: null } },
      customer: { attributes: { language: 'tr' } },
    });
    const same = await u.patch(`/v1/customers/${c}`, { attributes: { language: 'tr' }, displayName: 'ayse' });
    expect(same).toMatchObject({ status: 200, body: { customerId: c, changes: {} } });
    expect(same.body).not.toHaveProperty('updateId');
    const cleared = await u.patch(`/v1/customers/${c}`, { displayName: null });
    expect(cleared.body.changes).toEqual({ displayName: null });
    expect(cleared.body.customer).not.toHaveProperty('displayName');
    // Events of one customer share a partition: once the last is here, every earlier one is too.
    await waitFor(() => updatesOf(c).find((e) => e.data.updateId === cleared.body.updateId), {
      what: 'the last update',
    });
    expect(updatesOf(c).map((e) => e.data.changes)).toEqual([
      { attributes: { tier: 'vip', language: 'tr' } },
      { attributes: { tier: null } },
      { displayName: null },
    ]);
    await waitFor(async () => (await u.pool.query('SELECT count(*)::int AS n FROM api_outbox')).rows[0].n === 0, {
      what: 'the outbox to drain',
    });
  });

  it('changes the survivor when given a merged id', async () => {
    const older = await customer('+905327770003');
    const newer = await customer('+905327770004');
    await u.pool.query(`UPDATE customers SET created_at = '2020-01-01' WHERE id = $1`, [older]);
    await u.post('/v1/customers/merge', { customerIds: [newer, older], reason: 'same person' });
    const res = await u.patch(`/v1/customers/${newer}`, { attributes: { segment: 'b2b' } });
    expect(res.body).toMatchObject({
      customerId: older,
      redirectedFrom: newer,
      customer: { id: older, attributes: { segment: 'b2b' } },
    });
    expect((await waitFor(() => updatesOf(older)[0], { what: 'the survivor update' })).data.customerId).toBe(older);
  });

  it('answers bad input with 400 naming the field and an unknown customer with 404', async () => {
    const c = await customer('+905327770005');
    const bad = async (body: unknown, fields: string[]) =>
      expect(await u.patch(`/v1/customers/${c}`, body)).toMatchObject({
        status: 400,
        body: { code: 'UNIFIER.INVALID_REQUEST', details: { fields } },
      });
    await bad({ displayName: 42 }, ['displayName']);
    await bad({ displayName: 'x'.repeat(257) }, ['displayName']);
    await bad({ attributes: { tier: 'x'.repeat(1_025) } }, ['attributes.tier']);
    await bad({ attributes: { tier: 7 } }, ['attributes.tier']);
    await bad({ attributes: ['vip'] }, ['attributes']);
    await bad({ nickname: 'ayşe', displayName: 'Ayşe' }, ['nickname']);
    await bad({}, ['(body)']);
    expect(await u.patch('/v1/customers/not-a-uuid', { displayName: 'x' })).toMatchObject({
      status: 400,
      body: { code: 'UNIFIER.INVALID_ID' },
    });
    expect(await u.patch('/v1/customers/00000000-0000-4000-8000-000000000000', { displayName: 'x' })).toMatchObject({
      status: 404,
      body: { code: 'UNIFIER.CUSTOMER_NOT_FOUND' },
    });
    expect(updatesOf(c)).toEqual([]);
    expect(u.dlq).toEqual([]);
  });
});
