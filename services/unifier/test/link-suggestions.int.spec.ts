import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CloudEvent } from '@kanal/contracts';
import { waitFor } from '@kanal/testing';
import { id, inbound, startTestUnifier } from './unifier-harness';

/** The review surface: agents list suggestions, accept them (a merge) or reject them (remembered). */
let u: Awaited<ReturnType<typeof startTestUnifier>>;
beforeAll(async () => {
  u = await startTestUnifier();
}, 60_000);
afterAll(() => u?.stop(), 60_000);

let k = 0;
const suggestionFor = (customerId: string, after = 0) =>
  waitFor(
    () =>
      u
        .of('kanal.customer.link-suggested.v1')
        .slice(after)
        .find((e) => (e.data as { customerId: string }).customerId === customerId) as
        (CloudEvent & { data: { suggestionId: string; candidateCustomerId?: string } }) | undefined,
    { what: `a suggestion for ${customerId}` },
  );

/** O writes by email; W, on WhatsApp, writes O's address (and phone) in a text: a suggestion W → O. */
async function mentionPair() {
  k++;
  const email = `owner${k}@example.com`;
  const phone = `+9053240${String(k).padStart(5, '0')}`;
  const o = inbound({
    channel: 'email',
    provider: 'imap',
    from: { identities: [id('email', email), id('phone', phone)] },
  });
  await u.publish(o);
  const owner = (await u.unified(o.id)).data.customer.id;
  const w = inbound({
    from: { identities: [id('phone', `+9053250${String(k).padStart(5, '0')}`)] },
    text: `e-postam ${email}`,
  });
  await u.publish(w);
  const writer = (await u.unified(w.id)).data.customer.id;
  const suggestion = await suggestionFor(writer);
  expect(suggestion.data).toMatchObject({ reason: 'mentioned-in-text', candidateCustomerId: owner });
  return {
    id: suggestion.data.suggestionId,
    writer,
    owner,
    email,
    phone,
    writerPhone: w.data.sender.identities[0]!.value,
    sourceEventId: w.id,
  };
}

/** Sends a message from W and waits for its unified event: any suggestion it makes is published before it. */
async function writeAgain(writerPhone: string, text: string) {
  const before = u.of('kanal.customer.link-suggested.v1').length;
  const m = inbound({ from: { identities: [id('phone', writerPhone)] }, text });
  await u.publish(m);
  await u.unified(m.id);
  return u.of('kanal.customer.link-suggested.v1').slice(before);
}

async function allPages(status: string, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await u.get(
      `/v1/link-suggestions?status=${status}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.body.items.map((i: { id: string }) => i.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids;
}

describe('GET /v1/link-suggestions', () => {
  it('lists open suggestions newest first with both customers and the evidence, page by page', async () => {
    const made = [await mentionPair(), await mentionPair(), await mentionPair()];
    const first = await u.get('/v1/link-suggestions?limit=2');
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([made[2]!.id, made[1]!.id]);
    expect(first.body.items[0]).toMatchObject({
      id: made[2]!.id,
      status: 'open',
      reason: 'mentioned-in-text',
      moot: false,
      customer: { id: made[2]!.writer, identities: [id('phone', made[2]!.writerPhone)], attributes: {} },
      candidate: { id: made[2]!.owner, identities: [id('email', made[2]!.email), id('phone', made[2]!.phone)] },
      evidence: {
        identity: id('email', made[2]!.email),
        reason: 'mentioned-in-text',
        sourceEventId: made[2]!.sourceEventId,
        createdAt: expect.any(String),
      },
    });
    const all = await allPages('open', 2);
    expect(all.slice(0, 3)).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
    expect(new Set(all).size).toBe(all.length);
    expect(await allPages('open', 1)).toEqual(all);
    expect(await allPages('accepted', 5)).toEqual([]);
  });
});

describe('POST /v1/link-suggestions/{id}/reject', () => {
  it('hides the suggestion from the open list, answers a repeat the same, and never suggests the pair again for that reason', async () => {
    const s = await mentionPair();
    const rejected = await u.post(`/v1/link-suggestions/${s.id}/reject`, {
      actor: 'agent-7',
      reason: 'different people',
    });
    expect(rejected).toMatchObject({
      status: 200,
      body: {
        suggestionId: s.id,
        status: 'rejected',
        customerId: s.writer,
        candidateCustomerId: s.owner,
        actor: 'agent-7',
      },
    });
    expect(
      await u.post(`/v1/link-suggestions/${s.id}/reject`, { actor: 'agent-7', reason: 'different people' }),
    ).toEqual(rejected);
    expect(await allPages('open', 50)).not.toContain(s.id);
    const listed = (await u.get('/v1/link-suggestions?status=rejected')).body.items.find(
      (i: { id: string }) => i.id === s.id,
    );
    expect(listed).toMatchObject({
      status: 'rejected',
      decision: { actor: 'agent-7', reason: 'different people', decidedAt: expect.any(String) },
    });

    // New evidence of the same kind for the same pair (the owner's phone this time) is not suggested.
    expect(await writeAgain(s.writerPhone, `numaram ${s.phone}`)).toEqual([]);
    // Nor after the owner was merged into an older customer: the rejection follows the redirect.
    const older = inbound({
      channel: 'email',
      provider: 'imap',
      from: { identities: [id('email', `older${k}@example.com`)] },
    });
    await u.publish(older);
    const olderId = (await u.unified(older.id)).data.customer.id;
    await u.pool.query(`UPDATE customers SET created_at = '2020-01-01' WHERE id = $1`, [olderId]);
    const merged = await u.post('/v1/customers/merge', {
      customerIds: [s.owner, olderId],
      reason: 'same shop account',
    });
    expect(merged.body).toMatchObject({ survivorId: olderId, mergedId: s.owner });
    expect(await writeAgain(s.writerPhone, `eski adresim older${k}@example.com`)).toEqual([]);
    // Both were weighed and kept out of sight (not missed: recorded as suppressed).
    const { rows } = await u.pool.query(
      `SELECT identity_value, candidate_customer_id, status FROM link_suggestions WHERE customer_id = $1 ORDER BY created_at`,
      [s.writer],
    );
    expect(rows).toEqual([
      { identity_value: s.email, candidate_customer_id: s.owner, status: 'rejected' },
      { identity_value: s.phone, candidate_customer_id: s.owner, status: 'suppressed' },
      { identity_value: `older${k}@example.com`, candidate_customer_id: olderId, status: 'suppressed' },
    ]);
    expect(await u.post(`/v1/link-suggestions/${s.id}/accept`, {})).toMatchObject({
      status: 409,
      body: { code: 'UNIFIER.SUGGESTION_NOT_OPEN' },
    });
  });
});

describe('POST /v1/link-suggestions/{id}/accept', () => {
  it('merges the pair as POST /v1/customers/merge does, with the suggestion as evidence, and a split undoes it', async () => {
    const s = await mentionPair();
    const accepted = await u.post(`/v1/link-suggestions/${s.id}/accept`, { actor: 'agent-1' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      suggestionId: s.id,
      status: 'accepted',
      merge: { survivorId: s.owner, mergedId: s.writer },
    });
    expect(accepted.body.merge.evidence).toMatchObject({
      kind: 'explicit',
      suggestionId: s.id,
      actor: 'agent-1',
      identities: [id('email', s.email)],
    });
    expect(await u.post(`/v1/link-suggestions/${s.id}/accept`, { actor: 'agent-1' })).toEqual(accepted);
    const event = await waitFor(
      () =>
        u
          .of('kanal.customer.merged.v1')
          .find((e) => (e.data as { mergeId: string }).mergeId === accepted.body.merge.mergeId),
      {
        what: 'the merge event',
      },
    );
    expect(event.data).toMatchObject({ survivorId: s.owner, mergedId: s.writer, evidence: { suggestionId: s.id } });
    expect((await u.get(`/v1/customers/${s.writer}`)).body).toMatchObject({ id: s.owner, redirectedFrom: s.writer });
    expect(await u.post(`/v1/link-suggestions/${s.id}/reject`, {})).toMatchObject({
      status: 409,
      body: { code: 'UNIFIER.SUGGESTION_NOT_OPEN' },
    });

    const split = await u.post(`/v1/customers/${s.owner}/split`, {
      mergeId: accepted.body.merge.mergeId,
      reason: 'accepted by mistake',
    });
    expect(split).toMatchObject({ status: 200, body: { customerId: s.owner, newCustomerId: s.writer } });
    expect((await u.get(`/v1/identities/phone/${encodeURIComponent(s.writerPhone)}`)).body.customerId).toBe(s.writer);
    const listed = (await u.get('/v1/link-suggestions?status=accepted')).body.items.find(
      (i: { id: string }) => i.id === s.id,
    );
    expect(listed.decision).toMatchObject({
      actor: 'agent-1',
      mergeId: accepted.body.merge.mergeId,
      mergeUndoneAt: expect.any(String),
    });
  });

  it('answers 409 for a suggestion naming no other customer, and for one made moot by a merge meanwhile', async () => {
    const lonely = inbound({
      from: { identities: [id('phone', '+905326660001')] },
      text: 'e-postam kimsede@example.com',
    });
    await u.publish(lonely);
    const writer = (await u.unified(lonely.id)).data.customer.id;
    const alone = await suggestionFor(writer);
    expect(alone.data).not.toHaveProperty('candidateCustomerId');
    expect(await u.post(`/v1/link-suggestions/${alone.data.suggestionId}/accept`, {})).toMatchObject({
      status: 409,
      body: { code: 'UNIFIER.SUGGESTION_WITHOUT_CANDIDATE' },
    });

    const s = await mentionPair();
    await u.post('/v1/customers/merge', { customerIds: [s.writer, s.owner], reason: 'merged by hand' });
    const listed = (await u.get('/v1/link-suggestions?status=open&limit=200')).body.items.find(
      (i: { id: string }) => i.id === s.id,
    );
    expect(listed).toMatchObject({
      moot: true,
      customer: { id: s.owner, redirectedFrom: s.writer },
      candidate: { id: s.owner },
    });
    for (const action of ['accept', 'reject'])
      expect(await u.post(`/v1/link-suggestions/${s.id}/${action}`, {})).toMatchObject({
        status: 409,
        body: { code: 'UNIFIER.SUGGESTION_MOOT' },
      });
  });
});

describe('review errors', () => {
  it('answers bad input with 400 naming the field, an unknown id with 404 and a missing token with 401', async () => {
    const bad = async (path: string, field: string, code: string) =>
      expect(await u.get(path)).toMatchObject({ status: 400, body: { code, details: { field } } });
    await bad('/v1/link-suggestions?status=closed', 'status', 'UNIFIER.INVALID_STATUS');
    await bad('/v1/link-suggestions?limit=500', 'limit', 'UNIFIER.INVALID_LIMIT');
    for (const forged of [{ a: 1 }, ['2026-01-01', 'x'], ['2026-11-20T09:00:00.000000Z', 'not-a-uuid']])
      await bad(
        `/v1/link-suggestions?cursor=${Buffer.from(JSON.stringify(forged)).toString('base64url')}`,
        'cursor',
        'UNIFIER.INVALID_CURSOR',
      );
    await bad('/v1/link-suggestions?cursor=%25%25', 'cursor', 'UNIFIER.INVALID_CURSOR');
    expect(await u.post('/v1/link-suggestions/not-a-uuid/accept', {})).toMatchObject({
      status: 400,
      body: { code: 'UNIFIER.INVALID_ID', details: { field: 'id' } },
    });
    expect(await u.post('/v1/link-suggestions/00000000-0000-4000-8000-000000000000/reject', {})).toMatchObject({
      status: 404,
      body: { code: 'UNIFIER.SUGGESTION_NOT_FOUND' },
    });
    const s = await mentionPair();
    expect(await u.post(`/v1/link-suggestions/${s.id}/accept`, { actor: 5 })).toMatchObject({
      status: 400,
      body: { code: 'UNIFIER.INVALID_REQUEST', details: { fields: ['actor'] } },
    });
    expect(await u.post(`/v1/link-suggestions/${s.id}/reject`, { because: 'x' })).toMatchObject({
      status: 400,
      body: { code: 'UNIFIER.INVALID_REQUEST', details: { fields: ['because'] } },
    });
    expect((await u.get('/v1/link-suggestions', null)).status).toBe(401);
    expect(u.dlq).toEqual([]);
  });
});
