import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@kanal/testing';
import { id, inbound, outboundEcho, startTestUnifier } from './unifier-harness';

/**
 * The business's own identities are learned from the connectors' events (the recipient of an
 * inbound message, the sender of an outbound echo) and block from then on: a customer presenting
 * one is merged with no one, and an agent gets a suggestion instead.
 */
let u: Awaited<ReturnType<typeof startTestUnifier>>;
beforeAll(async () => {
  u = await startTestUnifier({ UNIFIER_BLOCKED_IDENTITIES: 'phone:+905550000000', BUSINESS_IDENTITIES: 'x:4242' });
}, 60_000);
afterAll(() => u?.stop(), 60_000);

const displayPhone = id('phone', '+908501234567');
const mailbox = id('email', 'destek@firma.com.tr');

type Item = { entry: string; source: string; pattern: boolean; learned?: Record<string, string> };

async function allBlocked(limit: number): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const page = await u.get(`/v1/identities/blocked?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

describe('learned business identities', () => {
  it('learns the recipient of an inbound message and the sender of an outbound echo, with where they were seen', async () => {
    const wa = inbound({
      from: { identities: [id('phone', '+905321110001')] },
      to: { identities: [displayPhone] },
      accountId: '1029384756',
    });
    const mail = outboundEcho({
      from: { identities: [mailbox] },
      to: { identities: [id('email', 'ayse@example.com')] },
      accountId: 'destek@firma.com.tr',
    });
    await u.publish(wa, mail);
    await u.unified(wa.id);
    await u.unified(mail.id);

    const items = await allBlocked(100);
    const learned = items.filter((i) => i.source === 'learned');
    expect(learned.map((i) => i.entry).sort()).toEqual([`email:${mailbox.value}`, `phone:${displayPhone.value}`]);
    expect(learned.find((i) => i.entry === `phone:${displayPhone.value}`)!.learned).toMatchObject({
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      accountId: '1029384756',
      firstSeenAt: expect.any(String),
      lastSeenAt: expect.any(String),
    });
    expect(learned.find((i) => i.entry === `email:${mailbox.value}`)!.learned).toMatchObject({
      channel: 'email',
      provider: 'imap',
    });
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entry: 'email:info@*', pattern: true, source: 'default' }),
        expect.objectContaining({ entry: 'phone:+905550000000', pattern: false, source: 'config' }),
        expect.objectContaining({ entry: 'x:4242', source: 'business-config' }),
      ]),
    );
    // The customers themselves are ordinary: the business side never becomes one of their identities.
    expect((await u.get(`/v1/identities/phone/${encodeURIComponent(displayPhone.value)}`)).status).toBe(404);
    expect((await u.get(`/v1/identities/email/${encodeURIComponent(mailbox.value)}`)).status).toBe(404);
  });

  it('merges no one with a visitor presenting the learned business phone and suggests instead', async () => {
    const first = inbound({
      channel: 'webchat',
      provider: 'http',
      from: { identities: [id('webchat', 'shop:v-1'), displayPhone] },
    });
    await u.publish(first);
    const a = (await u.unified(first.id)).data.customer;
    expect(a.identities).toEqual([id('webchat', 'shop:v-1')]);
    const second = inbound({
      channel: 'webchat',
      provider: 'http',
      from: { identities: [id('webchat', 'shop:v-2'), displayPhone] },
    });
    await u.publish(second);
    const b = (await u.unified(second.id)).data.customer;
    expect(b.id).not.toBe(a.id);
    expect(b.identities).toEqual([id('webchat', 'shop:v-2')]);

    const suggestionOf = (customerId: string) =>
      waitFor(
        () =>
          u
            .of('kanal.customer.link-suggested.v1')
            .find((e) => (e.data as { customerId: string }).customerId === customerId),
        {
          what: `the suggestion for ${customerId}`,
        },
      );
    expect((await suggestionOf(a.id)).data).toMatchObject({
      reason: 'blocked-identity',
      identity: displayPhone,
      sourceEventId: first.id,
    });
    expect((await suggestionOf(a.id)).data).not.toHaveProperty('candidateCustomerId');
    // The second visitor's suggestion names the one who presented the value before.
    expect((await suggestionOf(b.id)).data).toMatchObject({
      reason: 'blocked-identity',
      identity: displayPhone,
      candidateCustomerId: a.id,
      detail: expect.stringContaining('learned'),
    });
    const listed = await u.get('/v1/link-suggestions?status=open');
    expect(listed.body.items.map((i: { customer: { id: string } }) => i.customer.id)).toEqual(
      expect.arrayContaining([a.id, b.id]),
    );
  });

  it('lists blocked values page by page with a cursor, and refuses a forged one', async () => {
    const whole = await allBlocked(500);
    expect(await allBlocked(2)).toEqual(whole);
    expect(await allBlocked(1)).toEqual(whole);
    const forged = Buffer.from(JSON.stringify({ s: 'x' })).toString('base64url');
    for (const cursor of [forged, 'not*base64', Buffer.from('[1,2]').toString('base64url')]) {
      const res = await u.get(`/v1/identities/blocked?cursor=${encodeURIComponent(cursor)}`);
      expect(res).toMatchObject({
        status: 400,
        body: { code: 'UNIFIER.INVALID_CURSOR', details: { field: 'cursor' } },
      });
    }
    expect((await u.get('/v1/identities/blocked?limit=0')).body).toMatchObject({ code: 'UNIFIER.INVALID_LIMIT' });
    expect((await u.get('/v1/identities/blocked', null)).status).toBe(401);
    expect(u.dlq).toEqual([]);
  });
});
