import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { id, inbound, startTestUnifier } from './unifier-harness';

/**
 * Issue 16 ("Wrong answers"): input Postgres cannot store, forged cursors, a self-merge and huge
 * identity values get a 400 with a stable code naming the field, never a 500 or a wrong 404.
 */
let u: Awaited<ReturnType<typeof startTestUnifier>>;
let customer: string;
let other: string;
beforeAll(async () => {
  u = await startTestUnifier();
  const first = inbound({ from: { identities: [id('phone', '+905327781001')] }, text: 'bir' });
  const second = inbound({ from: { identities: [id('phone', '+905327781001')] }, text: 'iki' });
  await u.publish(first, second);
  await u.unified(second.id);
  customer = (await u.unified(first.id)).data.customer.id;
  other = randomUUID();
  await u.pool.query(`INSERT INTO customers (id, created_at) VALUES ($1, now())`, [other]);
}, 60_000);
afterAll(() => u?.stop(), 60_000);

const NUL = '\u0000';
const LONE = '\uD800';
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('NUL characters and unpaired surrogates', () => {
  it.each([
    [
      'a NUL in the value',
      `/v1/identities/webchat/${encodeURIComponent(`acc:visitor${NUL}1`)}`,
      'IDENTITY.INVALID',
      'value',
    ],
    [
      'a NUL in an email',
      `/v1/identities/email/${encodeURIComponent(`ayse${NUL}@example.com`)}`,
      'IDENTITY.INVALID',
      'value',
    ],
    ['an encoded lone surrogate in the value', '/v1/identities/webchat/acc%3A%ED%A0%80', 'IDENTITY.INVALID', 'value'],
    ['an overlong NUL in the value', '/v1/identities/external/shop%3A%C0%80', 'IDENTITY.INVALID', 'value'],
    [
      'a NUL in the type',
      `/v1/identities/email${encodeURIComponent(NUL)}/a%40b.com`,
      'UNIFIER.INVALID_IDENTITY_TYPE',
      'type',
    ],
    ['a lone surrogate in the type', '/v1/identities/%ED%B0%80/a%40b.com', 'UNIFIER.INVALID_IDENTITY_TYPE', 'type'],
    ['a NUL in a customer id', `/v1/customers/${randomUUID()}${encodeURIComponent(NUL)}`, 'UNIFIER.INVALID_ID', 'id'],
    ['a lone surrogate as customer id', '/v1/customers/%ED%A0%80', 'UNIFIER.INVALID_ID', 'id'],
    ['a lone surrogate in a timeline id', '/v1/customers/%ED%A0%80/timeline', 'UNIFIER.INVALID_ID', 'id'],
    ['a non-UUID customer id', '/v1/customers/not-a-uuid', 'UNIFIER.INVALID_ID', 'id'],
    ['an almost-UUID', '/v1/customers/------------------------------------', 'UNIFIER.INVALID_ID', 'id'],
  ])('GET with %s answers 400 naming the field', async (_what, path, code, field) => {
    const res = await u.get(path);
    expect(res).toMatchObject({ status: 400, body: { code, details: { field } } });
    // The answer never echoes the raw path (it can hold an address or a phone number).
    expect(res.body.message).not.toContain('%');
  });

  it('refuses them in every string of every body, naming the field', async () => {
    const invalid = (fields: string[]) => ({
      status: 400,
      body: { code: 'UNIFIER.INVALID_REQUEST', details: { fields } },
    });
    for (const bad of [NUL, LONE, '\uDC00x', `a${LONE}${NUL}`]) {
      expect(
        await u.post('/v1/customers/merge', { customerIds: [customer, other], reason: `same${bad}` }),
      ).toMatchObject(invalid(['reason']));
      expect(
        await u.post('/v1/customers/merge', { customerIds: [customer, other], reason: 'same', actor: `agent${bad}` }),
      ).toMatchObject(invalid(['actor']));
      expect(await u.post(`/v1/customers/${customer}/split`, { mergeId: randomUUID(), reason: bad })).toMatchObject(
        invalid(['reason']),
      );
      expect(
        await u.post(`/v1/customers/${customer}/split`, {
          identities: [id('webchat', `acc:v${bad}`)],
          reason: 'wrong',
        }),
      ).toMatchObject(invalid(['identities.0.value']));
      for (const action of ['accept', 'reject'])
        expect(await u.post(`/v1/link-suggestions/${randomUUID()}/${action}`, { actor: bad })).toMatchObject(
          invalid(['actor']),
        );
      expect(await u.patch(`/v1/customers/${customer}`, { displayName: `Ayşe${bad}` })).toMatchObject(
        invalid(['displayName']),
      );
      expect(await u.patch(`/v1/customers/${customer}`, { attributes: { tier: `vip${bad}` } })).toMatchObject(
        invalid(['attributes.tier']),
      );
      expect(await u.patch(`/v1/customers/${customer}`, { attributes: { [`ti${bad}er`]: 'vip' } })).toMatchObject(
        invalid([`attributes.ti${bad}er`]),
      );
    }
    // A non-UUID id in a body is a 400 at the edge, not a Postgres error.
    expect(await u.post('/v1/customers/merge', { customerIds: [customer, 'x'], reason: 'same' })).toMatchObject(
      invalid(['customerIds.1']),
    );
    // Nothing of it was stored or announced.
    const { rows } = await u.pool.query('SELECT display_name, attributes FROM customers WHERE id = $1', [customer]);
    expect(rows[0]).toEqual({ display_name: null, attributes: {} });
    expect(u.of('kanal.customer.updated.v1')).toEqual([]);
  });

  it('refuses one in a path that only POST routes take (split, accept, reject)', async () => {
    for (const path of [
      '/v1/customers/%ED%A0%80/split',
      '/v1/link-suggestions/%ED%A0%80/accept',
      '/v1/link-suggestions/x%00/reject',
    ])
      expect(await u.post(path, { reason: 'x' })).toMatchObject({
        status: 400,
        body: { code: 'UNIFIER.INVALID_ID', details: { field: 'id' } },
      });
  });

  it('strips bidi controls from a patched display name, as the intake does', async () => {
    const res = await u.patch(`/v1/customers/${other}`, { displayName: '\u202EAyşe\u2066' });
    expect(res).toMatchObject({ status: 200, body: { customer: { displayName: 'Ayşe' } } });
  });
});

describe('forged cursors', () => {
  const uuid = '5b1f3c1e-8f0a-4b6e-9c2d-1a2b3c4d5e6f';

  it('pages the timeline with the cursors it issued', async () => {
    const first = await u.get(`/v1/customers/${customer}/timeline?limit=1`);
    expect(first).toMatchObject({ status: 200, body: { items: [{ text: 'iki' }] } });
    const second = await u.get(`/v1/customers/${customer}/timeline?limit=1&cursor=${first.body.nextCursor}`);
    expect(second).toMatchObject({ status: 200, body: { items: [{ text: 'bir' }], nextCursor: null } });
  });

  it.each([
    ['the wrong shape', cursorOf({ a: 1 })],
    ['a string', cursorOf('x')],
    ['a date Postgres refuses', cursorOf(['2026-99-99T99:99:99.000Z', uuid])],
    ['year zero', cursorOf(['0000-01-01T00:00:00.000Z', uuid])],
    ['a date in another format', cursorOf(['Fri, 20 Nov 2026 09:00:00 GMT', uuid])],
    ['an almost-UUID', cursorOf(['2026-11-20T09:00:00.000Z', '-'.repeat(36)])],
    ['a NUL', cursorOf([`2026-11-20T09:00:00.000Z${NUL}`, uuid])],
    ['a lone surrogate', Buffer.from(`["2026-11-20T09:00:00.000Z","${uuid}","\\ud800"]`).toString('base64url')],
    ['garbage', 'not-base64!'],
    ['base64 of no JSON', Buffer.from('{not json').toString('base64url')],
    ['a huge cursor', 'e30'.repeat(2_000)],
  ])('answers a timeline cursor of %s with 400 UNIFIER.INVALID_CURSOR', async (_what, cursor) => {
    expect(await u.get(`/v1/customers/${customer}/timeline?cursor=${encodeURIComponent(cursor)}`)).toMatchObject({
      status: 400,
      body: { code: 'UNIFIER.INVALID_CURSOR', details: { field: 'cursor' } },
    });
  });

  it('answers forged list cursors with 400 UNIFIER.INVALID_CURSOR', async () => {
    for (const path of [
      `/v1/link-suggestions?cursor=${cursorOf(['2026-99-99T99:99:99.000000Z', uuid])}`,
      `/v1/link-suggestions?cursor=${cursorOf(['0000-01-01T00:00:00.000000Z', uuid])}`,
      `/v1/identities/blocked?cursor=${cursorOf({ l: ['email', `info${NUL}@x.com`] })}`,
      `/v1/customers/${customer}/timeline?cursor=a&cursor=b`,
    ])
      expect(await u.get(path)).toMatchObject({ status: 400, body: { code: 'UNIFIER.INVALID_CURSOR' } });
  });
});

describe('merging a customer with itself', () => {
  it('answers 400 UNIFIER.SELF_MERGE, also for the same id in other letter case', async () => {
    for (const customerIds of [
      [customer, customer],
      [customer, customer.toUpperCase()],
    ])
      expect(await u.post('/v1/customers/merge', { customerIds, reason: 'same person' })).toMatchObject({
        status: 400,
        body: { code: 'UNIFIER.SELF_MERGE', details: { field: 'customerIds' } },
      });
    const unknown = randomUUID();
    expect(await u.post('/v1/customers/merge', { customerIds: [unknown, unknown], reason: 'x' })).toMatchObject({
      status: 400,
      body: { code: 'UNIFIER.SELF_MERGE' },
    });
    expect(await u.post('/v1/customers/merge', { customerIds: [customer, unknown], reason: 'x' })).toMatchObject({
      status: 404,
      body: { code: 'UNIFIER.CUSTOMER_NOT_FOUND', details: { missing: [unknown] } },
    });
  });
});

describe('identity values of hostile length', () => {
  const lookup = (type: string, value: string) => u.get(`/v1/identities/${type}/${encodeURIComponent(value)}`);
  const refused = { status: 400, body: { code: 'IDENTITY.INVALID', details: { field: 'value' } } };

  it('refuses 7,000 labels and RFC 5321 overlong addresses by length, before parsing', async () => {
    for (const value of [
      `${'a.'.repeat(7_000)}a@x.com`,
      `x@${'a.'.repeat(7_000)}com`,
      `${'a'.repeat(65)}@example.com`,
      // 33 characters, 66 octets: the limit is in octets.
      `${'ş'.repeat(33)}@example.com`,
      `ayse@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(55)}.com`,
    ]) {
      expect(await lookup('email', value)).toMatchObject(refused);
    }
    for (const [type, value] of [
      ['phone', '1'.repeat(7_000)],
      ['webchat', `acc:${'v'.repeat(7_000)}`],
      ['external', `shop:${'1.'.repeat(7_000)}`],
    ] as const)
      expect(await lookup(type, value)).toMatchObject(refused);
  });

  it('still looks up addresses at the limits (64-octet local part, 254-octet address)', async () => {
    const local = 'a'.repeat(64);
    const longest = `b@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(56)}.com`;
    expect(Buffer.byteLength(longest)).toBe(254);
    for (const value of [`${local}@example.com`, longest, `mailto:<${local}@example.com>`])
      expect(await lookup('email', value)).toMatchObject({ status: 404, body: { code: 'UNIFIER.IDENTITY_NOT_FOUND' } });
    expect(await lookup('phone', '0532 778 10 01')).toMatchObject({ status: 200, body: { customerId: customer } });
  });
});
