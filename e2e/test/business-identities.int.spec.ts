import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { waitFor } from '@kanal/testing';
import { message, startPipeline, WA_PHONE_NUMBER_ID } from './pipeline-harness';

// The business's own WhatsApp number is learned from a real (signed) Cloud API webhook, with no
// BUSINESS_IDENTITIES configured. Web-chat visitors who type that number into the pre-chat form
// are never merged through it; an agent reviews the suggestions instead: reject hides one,
// accept merges, split undoes the merge.
let p: Awaited<ReturnType<typeof startPipeline>>;
beforeAll(async () => {
  p = await startPipeline({}, { withMeta: true });
}, 90_000);
afterAll(() => p?.stop(), 30_000);

const BUSINESS_DISPLAY = '+90 850 123 45 67';
const BUSINESS_PHONE = '+908501234567';
const id = (type: string, value: string) => ({ type, value });

type Customer = { id: string; identities: Array<{ type: string; value: string }> };
type Suggestion = {
  id: string;
  status: string;
  reason: string;
  customer: Customer;
  candidate: Customer | null;
  evidence: { identity: { type: string; value: string } };
};

function whatsappCloudDelivery(): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: BUSINESS_DISPLAY, phone_number_id: WA_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: 'Ayşe Yılmaz' }, wa_id: '905321234567' }],
              messages: [
                {
                  from: '905321234567',
                  id: 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgUM0E5QkMxRDJFM0Y0QTVCNkM3RDgA',
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: 'Merhaba, siparişim nerede?' },
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

async function json<T>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  expect({ status: res.status, body }).toMatchObject({ status });
  return JSON.parse(body) as T;
}

/** A visitor of the web chat who typed the business's number into the pre-chat form. */
async function visitor(n: number): Promise<string> {
  const res = await p.api('/v1/messages', {
    method: 'POST',
    body: JSON.stringify(
      message({
        channel: 'webchat',
        conversationRef: `visit-${n}`,
        sender: { identities: [id('webchat', `site:visitor-${n}`), id('phone', '0850 123 45 67')] },
        text: `Merhaba, ben ziyaretçi ${n}`,
      }),
    ),
  });
  expect(res.status).toBe(202);
  const identity = encodeURIComponent(`site:visitor-${n}`);
  const found = await waitFor(
    async () => {
      const r = await p.unifier(`/v1/identities/webchat/${identity}`);
      return r.status === 200 ? ((await r.json()) as { customerId: string }) : undefined;
    },
    { what: `visitor ${n} unified` },
  );
  return found.customerId;
}

const openSuggestions = async () =>
  (await json<{ items: Suggestion[] }>(await p.unifier('/v1/link-suggestions?status=open'))).items;

it('learns the WhatsApp number from a Cloud API webhook and never merges visitors through it', async () => {
  expect((await p.meta('/webhooks/whatsapp', whatsappCloudDelivery())).status).toBe(200);
  await waitFor(
    async () => {
      const page = await json<{
        items: Array<{ type: string; value: string; source: string; learned?: { provider: string } }>;
      }>(await p.unifier('/v1/identities/blocked?limit=500'));
      return page.items.find((i) => i.type === 'phone' && i.value === BUSINESS_PHONE && i.source === 'learned');
    },
    { what: 'the business number among the blocked values, learned' },
  );

  const v1 = await visitor(1);
  const v2 = await visitor(2);
  // Before, the shared phone made visitor 2 the same customer as visitor 1 (and everyone after).
  expect(v2).not.toBe(v1);
  expect((await p.unifier(`/v1/identities/phone/${encodeURIComponent(BUSINESS_PHONE)}`)).status).toBe(404);
  const ayse = await json<{ customerId: string }>(
    await p.unifier(`/v1/identities/phone/${encodeURIComponent('+905321234567')}`),
  );
  expect([v1, v2]).not.toContain(ayse.customerId);

  const pair = await waitFor(
    async () => (await openSuggestions()).find((s) => s.customer.id === v2 && s.candidate?.id === v1),
    { what: 'a suggestion linking visitor 2 to visitor 1' },
  );
  expect(pair).toMatchObject({
    reason: 'blocked-identity',
    evidence: { identity: { type: 'phone', value: BUSINESS_PHONE } },
  });

  // Reject: gone from the open list, and the same pair is not suggested again.
  await json(
    await p.unifier(`/v1/link-suggestions/${pair.id}/reject`, {
      method: 'POST',
      body: JSON.stringify({ actor: 'agent-7' }),
    }),
  );
  expect((await openSuggestions()).map((s) => s.id)).not.toContain(pair.id);
  const rejected = await json<{ items: Suggestion[] }>(await p.unifier('/v1/link-suggestions?status=rejected'));
  expect(rejected.items.map((s) => s.id)).toContain(pair.id);

  // A third visitor: suggested against the latest other visitor who typed the number (visitor 2).
  const v3 = await visitor(3);
  expect([v1, v2]).not.toContain(v3);
  const next = await waitFor(
    async () => (await openSuggestions()).find((s) => s.customer.id === v3 && s.candidate !== null),
    { what: 'a suggestion for visitor 3' },
  );
  const accepted = await json<{ merge: { mergeId: string; survivorId: string; mergedId: string } }>(
    await p.unifier(`/v1/link-suggestions/${next.id}/accept`, {
      method: 'POST',
      body: JSON.stringify({ actor: 'agent-7', reason: 'same visitor, confirmed by chat' }),
    }),
  );
  const { survivorId, mergedId, mergeId } = accepted.merge;
  expect(new Set([survivorId, mergedId])).toEqual(new Set([v3, next.candidate!.id]));
  const merged = await json<{ id: string }>(await p.unifier(`/v1/customers/${mergedId}`));
  expect(merged.id).toBe(survivorId);

  // Split undoes the merge: both visitors are customers of their own again.
  await json(
    await p.unifier(`/v1/customers/${survivorId}/split`, {
      method: 'POST',
      body: JSON.stringify({ mergeId, reason: 'accepted by mistake', actor: 'agent-7' }),
    }),
    200,
  );
  const after3 = await json<{ customerId: string }>(
    await p.unifier(`/v1/identities/webchat/${encodeURIComponent('site:visitor-3')}`),
  );
  const afterCandidate = await json<{ customerId: string }>(
    await p.unifier(
      `/v1/identities/webchat/${encodeURIComponent(`site:visitor-${next.candidate!.id === v2 ? 2 : 1}`)}`,
    ),
  );
  expect(after3.customerId).not.toBe(afterCandidate.customerId);
  // Nothing of this went to the dead-letter queue.
  expect(p.dlq).toHaveLength(0);
}, 120_000);
