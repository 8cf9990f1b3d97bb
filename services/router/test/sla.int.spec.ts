import { waitFor } from '@kanal/testing';
import type { RunningService } from '@kanal/service';
import { api, busProbe, cleanUp, customerMessage, isolatedEnv, manualClock, startTestRouter, uid } from './router-harness';

/**
 * SLA deadlines live in Postgres: a restart neither loses nor double-fires a breach, two router
 * instances on one database fire each deadline once, and a response stops the clock.
 * (webchat/api targets are 3 s in the test config.) Every router here runs on one hand-moved clock
 * and every message is stamped with it: a deadline falls due when the test moves the clock past
 * it, never because the machine was slow.
 */
const clock = manualClock();
let env: Record<string, string>;
let probe: Awaited<ReturnType<typeof busProbe>>;
const running: RunningService[] = [];

beforeAll(async () => {
  env = await isolatedEnv();
  probe = await busProbe(env);
});

afterAll(async () => {
  for (const r of running) await r.shutdown('test done');
  await probe?.stop();
  await cleanUp(env);
});

async function start(): Promise<RunningService> {
  const r = await startTestRouter(env, { now: clock.now });
  running.push(r);
  return r;
}

async function stop(r: RunningService): Promise<void> {
  await r.shutdown('restart');
  running.splice(running.indexOf(r), 1);
}

const breachesOf = (conversationId: string) => probe.of('kanal.sla.breached.v1', conversationId);

async function newConversation(text = 'merhaba', channel: 'webchat' | 'whatsapp' = 'webchat') {
  const conversationId = uid();
  const customerId = uid();
  await probe.publish(customerMessage({ customerId, conversationId, channel, text, at: clock.now() }));
  const assigned = await waitFor(() => probe.of('kanal.conversation.assigned.v1', conversationId)[0], { what: 'assignment' });
  return { conversationId, customerId, assigned };
}

/** Moves the clock just past a conversation's deadline. */
const passDeadline = (c: { assigned: { data: { slaDueAt?: string } } }) => clock.advanceTo(Date.parse(c.assigned.data.slaDueAt!) + 1);

describe('SLA deadlines', () => {
  it('fires a breach once across a router restart', async () => {
    const first = await start();
    const c = await newConversation();
    const { conversationId, assigned } = c;
    const due = Date.parse(assigned.data.slaDueAt!);
    await stop(first); // before the deadline: no timer in memory may be what fires it
    expect(breachesOf(conversationId)).toHaveLength(0);

    passDeadline(c);
    const second = await start();
    const breach = await waitFor(() => breachesOf(conversationId)[0], { what: 'breach after restart', timeoutMs: 20_000 });
    expect(breach.data).toMatchObject({ conversationId, queue: 'general', priority: 'P3', channel: 'webchat' });
    expect(Date.parse(breach.data.breachedAt)).toBeGreaterThanOrEqual(due);
    expect(breach.data.slaDueAt).toBe(new Date(due).toISOString());
    await stop(second);

    // A third instance must not fire it again; a fresh deadline breaching proves it ran ticks.
    await start();
    const marker = await newConversation();
    passDeadline(marker);
    await waitFor(() => breachesOf(marker.conversationId)[0], { what: 'marker breach', timeoutMs: 20_000 });
    expect(breachesOf(conversationId)).toHaveLength(1);
    const detail = await api(running[0]!.port).get(`/v1/conversations/${conversationId}`);
    expect(detail.body).toMatchObject({ slaBreached: true, status: 'waiting' });
    const queues = await api(running[0]!.port).get('/v1/queues');
    expect((queues.body.items!.find((q) => q.id === 'general')!.breached as number)).toBeGreaterThanOrEqual(1);
  });

  it('stops the clock on an outbound echo and records the first response time', async () => {
    if (running.length === 0) await start();
    const port = running[0]!.port;
    const answered = await newConversation('yardım lütfen');
    await probe.publish(
      customerMessage({
        customerId: answered.customerId, conversationId: answered.conversationId, channel: 'webchat', kind: 'sent', n: 1, at: clock.now(),
      }),
    );
    const responded = await waitFor(() => probe.of('kanal.conversation.updated.v1', answered.conversationId)[0], { what: 'responded' });
    expect(responded.data.reason).toBe('responded');
    expect(responded.data.firstResponseAt).toBeDefined();
    // An unanswered conversation opened after the answered one breaches; the answered one must not.
    const unanswered = await newConversation('yardım lütfen');
    passDeadline(unanswered);
    await waitFor(() => breachesOf(unanswered.conversationId)[0], { what: 'control breach', timeoutMs: 20_000 });
    expect(breachesOf(answered.conversationId)).toHaveLength(0);
    const detail = await api(port).get(`/v1/conversations/${answered.conversationId}`);
    expect(detail.body).toMatchObject({ status: 'responded', slaBreached: false });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/kanal_router_first_response_seconds_count\{[^}]*queue="general"[^}]*channel="webchat"/);
  });

  it('stops the clock on POST /v1/conversations/{id}/responded, idempotently', async () => {
    if (running.length === 0) await start();
    const http = api(running[0]!.port);
    const c = await newConversation('yardım');
    const first = await http.post(`/v1/conversations/${c.conversationId}/responded`);
    expect(first).toMatchObject({ status: 200, body: { status: 'responded' } });
    const again = await http.post(`/v1/conversations/${c.conversationId}/responded`);
    expect(again.body.firstResponseAt).toBe(first.body.firstResponseAt);
    await waitFor(() => probe.of('kanal.conversation.updated.v1', c.conversationId)[0], { what: 'responded event' });
    const control = await newConversation('yardım');
    passDeadline(control);
    await waitFor(() => breachesOf(control.conversationId)[0], { what: 'control breach', timeoutMs: 20_000 });
    expect(breachesOf(c.conversationId)).toHaveLength(0);
    expect(probe.of('kanal.conversation.updated.v1', c.conversationId)).toHaveLength(1);
  });

  it('does not double-fire with a second router instance on the same database', async () => {
    while (running.length < 2) await start();
    const conversations = await Promise.all(Array.from({ length: 12 }, () => newConversation()));
    for (const c of conversations) passDeadline(c);
    for (const c of conversations) await waitFor(() => breachesOf(c.conversationId)[0], { what: 'breach', timeoutMs: 20_000 });
    const marker = await newConversation();
    passDeadline(marker);
    await waitFor(() => breachesOf(marker.conversationId)[0], { what: 'marker breach', timeoutMs: 20_000 });
    for (const c of conversations) expect(breachesOf(c.conversationId)).toHaveLength(1);
    const ids = probe.of('kanal.sla.breached.v1').map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
