import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { waitFor } from '@kanal/testing';
import { message, startPipeline } from './pipeline-harness';

// The customer never repeats themselves: WhatsApp → email → Instagram, one customer, one
// conversation, one assignment, escalated (not re-queued) when they write again unanswered.
let p: Awaited<ReturnType<typeof startPipeline>>;
beforeAll(async () => {
  p = await startPipeline({}, { withRouter: true });
}, 90_000);
afterAll(() => p.stop(), 30_000);

const id = (type: string, value: string) => ({ type, value });
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
type Routing = {
  conversationId: string;
  queue: string;
  priority: string;
  reason: string;
  ruleIds: string[];
  matchedTerms: string[];
};

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await p.api('/v1/messages', { method: 'POST', body: JSON.stringify(body), headers });
  expect(res.status).toBe(202);
  return ((await res.json()) as { ids: string[] }).ids[0]!;
}

it('routes a cross-channel journey to one conversation, sticky and escalated on repeat contact', async () => {
  const shopId = `shop:J-${Date.now()}`;
  await post(
    message({
      channel: 'whatsapp',
      sender: { displayName: 'Ayşe', identities: [id('phone', '+905321112233'), id('external', shopId)] },
      text: 'Merhaba, siparişim 5 gündür kargoda, hâlâ teslim edilmedi',
    }),
    // The caller's W3C trace context (what an OpenTelemetry-instrumented client sends).
    { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
  );
  const assigned = await waitFor(() => p.routing.find((r) => r.event.type === 'kanal.conversation.assigned.v1'), {
    timeoutMs: 30_000,
    what: 'assignment',
  });
  // One trace from the HTTP request to the routing decision, through every hop, each its own span.
  const unified = p.customers.find((r) => r.event.type === 'kanal.customer.message.v1')!;
  for (const hop of [unified, assigned])
    expect(hop.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
  expect(unified.traceparent).not.toBe(assigned.traceparent);
  const a = assigned.event.data as Routing & { customer: { id: string } };
  expect(a.queue).toBe('delivery');
  expect(a.ruleIds).toContain('delivery-delay');

  await post(
    message({
      channel: 'email',
      sender: { identities: [id('email', 'ayse.j@example.com'), id('external', shopId)] },
      text: 'Kargom nerede?',
    }),
  );
  await post(
    message({
      channel: 'instagram',
      sender: { identities: [id('instagram', '1784:55'), id('external', shopId)] },
      text: 'Cevap alamadım',
    }),
  );

  const updates = await waitFor(
    () => {
      const u = p.routing
        .filter((r) => r.event.type === 'kanal.conversation.updated.v1')
        .map((r) => r.event.data as Routing);
      return u.filter((x) => x.reason === 'repeat-contact').length >= 2 ? u : undefined;
    },
    { timeoutMs: 30_000, what: 'two repeat-contact escalations' },
  );
  for (const u of updates) expect(u.conversationId).toBe(a.conversationId);
  expect(updates.at(-1)!.queue).toBe('delivery');
  expect(updates.at(-1)!.priority < a.priority).toBe(true); // P1 < P2 < P3: raised, never lowered
  expect(p.routing.filter((r) => r.event.type === 'kanal.conversation.assigned.v1')).toHaveLength(1);

  const timeline = (await (await p.unifier(`/v1/customers/${a.customer.id}/timeline`)).json()) as {
    items: Array<{ channel: string; conversationId: string }>;
  };
  expect(timeline.items.map((i) => i.channel).sort()).toEqual(['email', 'instagram', 'whatsapp']);
  expect(new Set(timeline.items.map((i) => i.conversationId))).toEqual(new Set([a.conversationId]));
  // The router publishes its events before it commits: the row can show a moment after the event.
  const conversations = await waitFor(
    async () => {
      const body = (await (await p.router(`/v1/customers/${a.customer.id}/conversations`)).json()) as {
        items: Array<{ id: string; queue: string; priority: string }>;
      };
      return body.items[0]?.priority === updates.at(-1)!.priority ? body : undefined;
    },
    { what: 'the escalated conversation in the router' },
  );
  expect(conversations.items).toEqual([expect.objectContaining({ id: a.conversationId, queue: 'delivery' })]);
}, 90_000);
