import { waitFor } from '@kanal/testing';
import type { RunningService } from '@kanal/service';
import { api, busProbe, cleanUp, customerMessage, isolatedEnv, startTestRouter, uid } from './router-harness';

let router: RunningService;
let probe: Awaited<ReturnType<typeof busProbe>>;
let http: ReturnType<typeof api>;
let env: Record<string, string>;

beforeAll(async () => {
  env = await isolatedEnv();
  probe = await busProbe(env);
  router = await startTestRouter(env);
  http = api(router.port);
});

afterAll(async () => {
  await router?.shutdown('test done');
  await probe?.stop();
  await cleanUp(env);
});

/**
 * Routing events are published before the router's transaction commits (a crash in between redoes
 * the batch), so an event can be seen a moment before its row: a read right after one is polled
 * until the row shows what the event said.
 */
type Body = Awaited<ReturnType<ReturnType<typeof api>['get']>>['body'];
const readWhen = (path: string, ok: (body: Body) => boolean) =>
  waitFor(
    async () => {
      const res = await http.get(path);
      return ok(res.body) ? res : undefined;
    },
    { what: `${path} to show the committed state` },
  );

const assignedOf = (conversationId: string) =>
  waitFor(() => probe.of('kanal.conversation.assigned.v1', conversationId)[0], {
    what: `assignment of ${conversationId}`,
  });

describe('router: Turkish and English routing', () => {
  it.each([
    ['İADE istiyorum lütfen', 'payments', 'P3', 'refund', 'iade*'],
    ['ödeme yaptım ama sipariş oluşmadı', 'payments', 'P2', 'payment-problem', 'ödeme*'],
    ['odeme yaptim ama siparis olusmadi', 'payments', 'P2', 'payment-problem', 'ödeme*'],
    ['hesabım çalındı, acil yardım', 'account-security', 'P1', 'account-takeover', 'hesabım çalındı'],
    ['Where is my order? It was not delivered', 'delivery', 'P2', 'delivery-delay', 'where is my order'],
    ['Merhaba, bir sorum olacak', 'general', 'P3', undefined, undefined],
  ])('routes %j to %s at %s', async (text, queue, priority, rule, term) => {
    const customerId = uid();
    const conversationId = uid();
    const at = new Date();
    await probe.publish(customerMessage({ customerId, conversationId, text, at }));
    const assigned = await assignedOf(conversationId);
    expect(assigned.data).toMatchObject({ queue, priority, customer: { id: customerId }, channel: 'whatsapp' });
    expect(assigned.data.reason).toBe(rule ? 'rules' : 'default');
    if (rule) expect(assigned.data.ruleIds).toContain(rule);
    if (term) expect(assigned.data.matchedTerms).toContain(term);
    expect(assigned.data.recent[0]?.text).toBe(text);
    expect(Date.parse(assigned.data.slaDueAt!)).toBeGreaterThan(at.getTime());
    expect(assigned.subject).toBe(customerId);
  });

  it('routes a redelivered event once', async () => {
    const customerId = uid();
    const conversationId = uid();
    const event = customerMessage({ customerId, conversationId, text: 'kargom gelmedi' });
    await probe.publish(event, event);
    await probe.publish(event);
    await assignedOf(conversationId);
    // A later message of the same customer is a marker: everything before it was handled.
    await probe.publish(customerMessage({ customerId, conversationId, text: 'hesabım çalındı', n: 1 }));
    await waitFor(() => probe.of('kanal.conversation.updated.v1', conversationId)[0], { what: 'override marker' });
    expect(probe.of('kanal.conversation.assigned.v1', conversationId)).toHaveLength(1);
  });
});

describe('router: continuity', () => {
  it('keeps the queue for later messages and moves it only for an override rule', async () => {
    const customerId = uid();
    const conversationId = uid();
    const t0 = Date.now();
    await probe.publish(customerMessage({ customerId, conversationId, text: 'kargom nerede', at: new Date(t0) }));
    expect((await assignedOf(conversationId)).data.queue).toBe('delivery');
    await probe.publish(
      customerMessage({ customerId, conversationId, text: 'ödeme de yaptım', n: 1, at: new Date(t0 + 1_000) }),
    );
    await probe.publish(
      customerMessage({ customerId, conversationId, text: 'HESABIM ÇALINDI', n: 2, at: new Date(t0 + 2_000) }),
    );
    const updated = await waitFor(() => probe.of('kanal.conversation.updated.v1', conversationId)[0], {
      what: 'override',
    });
    expect(updated.data).toMatchObject({
      reason: 'override',
      queue: 'account-security',
      priority: 'P1',
      previousQueue: 'delivery',
      previousPriority: 'P2',
    });
    expect(updated.data.ruleIds).toEqual(['account-takeover']);
    expect(probe.of('kanal.conversation.updated.v1', conversationId)).toHaveLength(1); // the "ödeme" message stuck
    const detail = await readWhen(`/v1/conversations/${conversationId}`, (b) => b.queue === 'account-security');
    expect(detail.body).toMatchObject({ queue: 'account-security', priority: 'P1', status: 'waiting' });
    expect(
      (detail.body.history as Array<{ type: string; reason: string }>).map((h) => `${h.type}:${h.reason}`),
    ).toEqual(['assigned:rules', 'updated:override']);
  });

  it('escalates a customer who writes again on another channel while unanswered, in the same conversation', async () => {
    const customerId = uid();
    const conversationId = uid();
    const t0 = Date.now();
    await probe.publish(
      customerMessage({
        customerId,
        conversationId,
        channel: 'whatsapp',
        text: 'siparişim hakkında',
        at: new Date(t0),
      }),
    );
    const assigned = await assignedOf(conversationId);
    await probe.publish(
      customerMessage({
        customerId,
        conversationId,
        channel: 'email',
        text: 'tekrar yazıyorum',
        n: 1,
        at: new Date(t0 + 60_000),
      }),
    );
    const updated = await waitFor(() => probe.of('kanal.conversation.updated.v1', conversationId)[0], {
      what: 'repeat-contact',
    });
    expect(updated.data).toMatchObject({
      reason: 'repeat-contact',
      queue: assigned.data.queue,
      priority: 'P2',
      previousPriority: 'P3',
    });
    expect(Date.parse(updated.data.slaDueAt!)).toBeLessThan(Date.parse(assigned.data.slaDueAt!));
    const list = await readWhen(`/v1/customers/${customerId}/conversations`, (b) => b.items?.[0]?.priority === 'P2');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items![0]).toMatchObject({ id: conversationId, priority: 'P2', channels: ['whatsapp', 'email'] });
    expect(probe.of('kanal.conversation.assigned.v1', conversationId)).toHaveLength(1);
  });

  it("sends a returning customer's new conversation to the queue of the previous one", async () => {
    const customerId = uid();
    const first = uid();
    await probe.publish(customerMessage({ customerId, conversationId: first, text: 'kargo gecikti' }));
    expect((await assignedOf(first)).data.queue).toBe('delivery');
    const closed = await http.post(`/v1/conversations/${first}/close`);
    expect(closed).toMatchObject({ status: 200, body: { status: 'closed' } });
    await waitFor(() => probe.of('kanal.conversation.closed.v1', first)[0], { what: 'closed event' });
    const second = uid();
    await probe.publish(
      customerMessage({ customerId, conversationId: second, channel: 'instagram', text: 'ödeme sorunu' }),
    );
    const again = await assignedOf(second);
    expect(again.data).toMatchObject({ queue: 'delivery', reason: 'returning-customer', priority: 'P2' });
    expect(again.data.ruleIds).toContain('payment-problem');
  });

  it('lets an override rule win over the returning-customer preference', async () => {
    const customerId = uid();
    const first = uid();
    await probe.publish(customerMessage({ customerId, conversationId: first, text: 'kargo gecikti' }));
    await assignedOf(first);
    const second = uid();
    await probe.publish(customerMessage({ customerId, conversationId: second, text: 'hesabım hacklendi' }));
    expect((await assignedOf(second)).data).toMatchObject({
      queue: 'account-security',
      priority: 'P1',
      reason: 'rules',
    });
  });

  it('closes the previous conversation with reason idle when the unifier opens a new one', async () => {
    const customerId = uid();
    const first = uid();
    await probe.publish(customerMessage({ customerId, conversationId: first, text: 'kargo gecikti' }));
    await assignedOf(first);
    const second = uid();
    await probe.publish(customerMessage({ customerId, conversationId: second, text: 'yine ben' }));
    await assignedOf(second);
    const closed = await waitFor(() => probe.of('kanal.conversation.closed.v1', first)[0], { what: 'idle close' });
    expect(closed.data).toMatchObject({ conversationId: first, reason: 'idle', customer: { id: customerId } });
    expect(await readWhen(`/v1/conversations/${first}`, (b) => b.status === 'closed')).toMatchObject({
      status: 200,
      body: { status: 'closed' },
    });
    expect(probe.of('kanal.conversation.closed.v1', second)).toHaveLength(0);
  });

  it('takes the moved identities off the conversation on a split and routes the split-off customer on its own', async () => {
    const customerId = uid();
    const newCustomerId = uid();
    const conversationId = uid();
    await probe.publish(customerMessage({ customerId, conversationId, text: 'kargo gecikti' }));
    await assignedOf(conversationId);
    await probe.publish({
      specversion: '1.0',
      id: uid(),
      source: 'kanal/unifier',
      type: 'kanal.customer.split.v1',
      time: new Date().toISOString(),
      subject: customerId,
      datacontenttype: 'application/json',
      data: {
        splitId: uid(),
        customerId,
        newCustomerId,
        identities: [{ type: 'phone', value: '+905321234567' }],
        movedMessages: 1,
        conversationId,
        reason: 'wrong merge',
        splitAt: new Date().toISOString(),
      },
    });
    const updated = await waitFor(
      () => probe.of('kanal.conversation.updated.v1', conversationId).find((e) => e.data.reason === 'split'),
      { what: 'split update' },
    );
    expect(updated.data.customer.identities).toEqual([]);
    expect(updated.data.queue).toBe('delivery');
    const own = uid();
    await probe.publish(customerMessage({ customerId: newCustomerId, conversationId: own, text: 'ödeme sorunu' }));
    expect((await assignedOf(own)).data).toMatchObject({ queue: 'payments', customer: { id: newCustomerId } });
    expect(probe.of('kanal.conversation.closed.v1', conversationId)).toHaveLength(0);
  });

  it('folds conversations on a merge, keeping the earlier SLA clock', async () => {
    const survivorId = uid();
    const mergedId = uid();
    const early = uid();
    const late = uid();
    const t0 = Date.now();
    await probe.publish(
      customerMessage({
        customerId: mergedId,
        conversationId: early,
        channel: 'whatsapp',
        text: 'kargo',
        at: new Date(t0),
      }),
    );
    await probe.publish(
      customerMessage({
        customerId: survivorId,
        conversationId: late,
        channel: 'email',
        text: 'kargo',
        at: new Date(t0 + 5_000),
      }),
    );
    const a = await assignedOf(early);
    const b = await assignedOf(late);
    expect(Date.parse(a.data.slaDueAt!)).toBeLessThan(Date.parse(b.data.slaDueAt!));
    await probe.publish({
      specversion: '1.0',
      id: uid(),
      source: 'kanal/unifier',
      type: 'kanal.customer.merged.v1',
      time: new Date().toISOString(),
      subject: survivorId,
      datacontenttype: 'application/json',
      data: {
        mergeId: uid(),
        survivorId,
        mergedId,
        evidence: { kind: 'explicit', identities: [] },
        customer: { id: survivorId, identities: [], attributes: {} },
        conversationId: late,
        foldedConversationIds: [early],
        mergedAt: new Date().toISOString(),
      },
    });
    const updated = await waitFor(() => probe.of('kanal.conversation.updated.v1', late)[0], { what: 'merge update' });
    expect(updated.data).toMatchObject({ reason: 'merge', foldedConversationIds: [early], slaDueAt: a.data.slaDueAt });
    expect(probe.of('kanal.conversation.closed.v1', early)[0]?.data.reason).toBe('merged');
    const list = await readWhen(`/v1/customers/${survivorId}/conversations`, (b) =>
      (b.items ?? []).some((c) => c.id === early && c.status === 'merged'),
    );
    expect(list.body.items!.map((c) => `${c.id}:${c.status}`).sort()).toEqual(
      [`${early}:merged`, `${late}:waiting`].sort(),
    );
  });
});

describe('router: HTTP surface', () => {
  it('requires a bearer token', async () => {
    expect((await http.get('/v1/queues', null)).status).toBe(401);
    expect((await http.get('/v1/queues', 'wrong-token-wrong-token')).body.code).toBe('AUTH.INVALID_TOKEN');
  });

  it('answers 404 with a code for an unknown conversation', async () => {
    const res = await http.post(`/v1/conversations/${uid()}/responded`);
    expect(res).toMatchObject({ status: 404, body: { code: 'ROUTER.CONVERSATION_NOT_FOUND' } });
  });

  it('rejects a bad responded body with a reason', async () => {
    const res = await http.post(`/v1/conversations/${uid()}/responded`, { at: 'yesterday' });
    expect(res).toMatchObject({ status: 400, body: { code: 'ROUTER.INVALID_BODY', details: { field: 'at' } } });
  });

  it('shows every configured queue with its depth and oldest waiting conversation', async () => {
    const conversationId = uid();
    await probe.publish(customerMessage({ customerId: uid(), conversationId, text: 'uygulama açılmıyor' }));
    await assignedOf(conversationId);
    const queues = await readWhen(
      '/v1/queues',
      (b) => (b.items!.find((q) => q.id === 'technical')?.depth as number) >= 1,
    );
    expect(queues.body.items!.map((q) => q.id)).toEqual([
      'payments',
      'delivery',
      'returns',
      'account-security',
      'technical',
      'general',
    ]);
    const technical = queues.body.items!.find((q) => q.id === 'technical')!;
    expect(technical.depth).toBeGreaterThanOrEqual(1);
    expect(typeof technical.oldestWaitingSince).toBe('string');
    expect(technical).toHaveProperty('breached');
  });

  it('opens one incident per surge of matching new conversations', async () => {
    const text = 'kurye paketi kırık bıraktı';
    const ids = [uid(), uid(), uid(), uid()];
    for (const conversationId of ids.slice(0, 3))
      await probe.publish(customerMessage({ customerId: uid(), conversationId, text }));
    const kurye = () => probe.of('kanal.incident.suspected.v1').filter((e) => e.data.term === 'kurye');
    const incident = await waitFor(() => kurye()[0], { what: 'incident event' });
    expect(incident.data).toMatchObject({ ruleId: 'delivery-delay', threshold: 3, count: 3 });
    expect([...incident.data.conversationIds].sort()).toEqual(ids.slice(0, 3).sort());
    await probe.publish(customerMessage({ customerId: uid(), conversationId: ids[3]!, text }));
    // The 4th conversation joins the open incident instead of opening another one.
    await waitFor(
      async () =>
        (await http.get('/v1/incidents')).body.items!.find(
          (i) => i.incidentId === incident.data.incidentId && i.count === 4,
        ),
      { what: 'incident counting the 4th conversation' },
    );
    expect(kurye()).toHaveLength(1);
  });
});
