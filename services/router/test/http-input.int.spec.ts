import { waitFor } from '@kanal/testing';
import type { RunningService } from '@kanal/service';
import {
  api,
  busProbe,
  cleanUp,
  customerMessage,
  isolatedEnv,
  manualClock,
  startTestRouter,
  TOKEN,
  uid,
} from './router-harness';

/**
 * What a request brings is checked at the edge: a NUL, an unpaired surrogate or a non-UUID in an
 * id, a NUL or a lone surrogate in a body string, answer 400 naming the field (never a 500 from
 * Postgres); an agent's `at` outside what is possible answers 400 `ROUTER.TIME_OUT_OF_RANGE`,
 * so `kanal_router_first_response_seconds` only ever records real durations. The router runs on a
 * hand-moved clock, so "now" in a request is the router's now.
 */
const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
let env: Record<string, string>;
let router: RunningService;
let probe: Awaited<ReturnType<typeof busProbe>>;
let http: ReturnType<typeof api>;

beforeAll(async () => {
  env = await isolatedEnv();
  probe = await busProbe(env);
  router = await startTestRouter(env, { now: clock.now });
  http = api(router.port);
});

afterAll(async () => {
  await router?.shutdown('test done');
  await probe?.stop();
  await cleanUp(env);
});

/** A request with the path sent as written (percent escapes included), the answer parsed. */
async function raw(method: string, path: string, body?: string) {
  const res = await fetch(`http://127.0.0.1:${router.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  return { status: res.status, body: (await res.json()) as { code?: string; details?: { field?: string } } };
}

/** A waiting conversation whose first message arrived at `at` (the router's clock by default). */
async function waitingConversation(at = clock.now()) {
  const conversationId = uid();
  await probe.publish(customerMessage({ customerId: uid(), conversationId, channel: 'webchat', at }));
  await waitFor(() => probe.of('kanal.conversation.assigned.v1', conversationId)[0], { what: 'assignment' });
  // Events are published before the commit: the row is polled until it is there.
  await waitFor(async () => (await http.get(`/v1/conversations/${conversationId}`)).status === 200, {
    what: 'the row',
  });
  return conversationId;
}

const firstResponseMetric = async () => {
  const text = await (await fetch(`http://127.0.0.1:${router.port}/metrics`)).text();
  const value = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  return {
    sum: value('kanal_router_first_response_seconds_sum'),
    count: value('kanal_router_first_response_seconds_count'),
  };
};

describe('router HTTP: ids and body strings', () => {
  it.each([
    ['GET', '/v1/conversations/%00'],
    ['GET', '/v1/conversations/not-a-uuid'],
    ['GET', '/v1/conversations/0b7d3f52-9a41-4c1e-8f3a-5d2b%00'],
    ['GET', '/v1/customers/%00/conversations'],
    ['GET', '/v1/customers/ayse@example.com/conversations'],
    ['POST', '/v1/conversations/%00/responded'],
    ['POST', '/v1/conversations/12345/close'],
  ])('answers %s %s with 400 ROUTER.INVALID_ID naming the id', async (method, path) => {
    const res = await raw(method, path, method === 'POST' ? '{}' : undefined);
    expect(res).toMatchObject({ status: 400, body: { code: 'ROUTER.INVALID_ID', details: { field: 'id' } } });
  });

  it('answers an id that is not UTF-8 (an unpaired surrogate, percent-encoded) with 400, not 500', async () => {
    for (const path of [
      '/v1/conversations/%ED%A0%80',
      '/v1/customers/%ED%B0%80/conversations',
      '/v1/conversations/%FF/close',
    ]) {
      const res = await raw(path.endsWith('close') ? 'POST' : 'GET', path, path.endsWith('close') ? '{}' : undefined);
      expect(res).toMatchObject({ status: 400, body: { code: 'HTTP.BAD_REQUEST' } });
    }
  });

  it.each([
    ['a NUL', { actor: 'agent\u00007' }, 'actor'],
    ['an unpaired high surrogate', { actor: 'agent-\ud800' }, 'actor'],
    ['an unpaired low surrogate', { actor: '\udc00' }, 'actor'],
    ['a NUL in the time', { at: '2026-03-02T09:00:00\u0000Z' }, 'at'],
    ['an unknown field', { queue: 'payments\u0000' }, 'queue'],
  ])('answers a responded body with %s with 400 ROUTER.INVALID_BODY naming the field', async (_what, body, field) => {
    // JSON.stringify writes lone surrogates as \ud800 escapes: the server's parser makes them again.
    const res = await raw('POST', `/v1/conversations/${uid()}/responded`, JSON.stringify(body));
    expect(res).toMatchObject({ status: 400, body: { code: 'ROUTER.INVALID_BODY', details: { field } } });
  });

  it('keeps working for valid ids: 404 for an unknown conversation, 200 for a known one', async () => {
    expect((await raw('GET', `/v1/conversations/${uid()}`)).body.code).toBe('ROUTER.CONVERSATION_NOT_FOUND');
    const id = await waitingConversation();
    expect((await http.get(`/v1/conversations/${id}`)).body).toMatchObject({ id, status: 'waiting' });
  });
});

describe('router HTTP: POST …/responded {at} is bounded', () => {
  it.each([
    ['in the future beyond the skew', () => new Date(clock.now().getTime() + 10 * 60_000).toISOString()],
    ['in year 9999', () => '9999-12-31T23:59:59Z'],
    ['before 1970', () => '1969-12-31T23:59:59Z'],
    ['in year 0000', () => '0000-01-01T00:00:00Z'],
    ['with an impossible UTC offset', () => '2026-03-02T09:00:00+23:59'],
    ['before the conversation began', () => new Date(clock.now().getTime() - 10 * 60_000).toISOString()],
  ])('refuses an at %s with 400 ROUTER.TIME_OUT_OF_RANGE naming at, and changes nothing', async (_what, at) => {
    const id = await waitingConversation();
    const before = await firstResponseMetric();
    const res = await http.post(`/v1/conversations/${id}/responded`, { at: at() });
    expect(res).toMatchObject({ status: 400, body: { code: 'ROUTER.TIME_OUT_OF_RANGE', details: { field: 'at' } } });
    expect(res.body.message).toMatch(/^at /);
    expect((await http.get(`/v1/conversations/${id}`)).body).toMatchObject({ status: 'waiting' });
    expect(await firstResponseMetric()).toEqual(before);
    expect(probe.of('kanal.conversation.updated.v1', id)).toHaveLength(0);
  });

  it('accepts times within the skew and records only possible first-response times', async () => {
    const before = await firstResponseMetric();
    const start = clock.now().getTime();

    // A desk clock a little behind ours: the response counts as instant, never negative.
    const early = await waitingConversation(new Date(start));
    const a = await http.post(`/v1/conversations/${early}/responded`, {
      at: new Date(start - 2 * 60_000).toISOString(),
    });
    expect(a).toMatchObject({ status: 200, body: { status: 'responded', firstResponseSeconds: 0 } });

    // A desk clock a little ahead: recorded at the router's now, never in the future.
    const ahead = await waitingConversation(new Date(start));
    clock.advanceTo(start + 90_000);
    const b = await http.post(`/v1/conversations/${ahead}/responded`, {
      at: new Date(start + 90_000 + 2 * 60_000).toISOString(),
    });
    expect(b).toMatchObject({
      status: 200,
      body: { firstResponseSeconds: 90, firstResponseAt: new Date(start + 90_000).toISOString() },
    });

    // An ordinary time in between, with an offset.
    const normal = await waitingConversation(clock.now());
    clock.advanceTo(start + 120_000);
    const inIstanbul = new Date(start + 105_000 + 3 * 3_600_000).toISOString().replace('Z', '+03:00');
    const c = await http.post(`/v1/conversations/${normal}/responded`, { at: inIstanbul });
    expect(c).toMatchObject({ status: 200, body: { firstResponseSeconds: 15 } });

    // Idempotent: a repeat with another (valid) time changes nothing.
    const again = await http.post(`/v1/conversations/${normal}/responded`, {});
    expect(again.body.firstResponseAt).toBe(c.body.firstResponseAt);

    const after = await firstResponseMetric();
    expect(after.count - before.count).toBe(3);
    expect(after.sum - before.sum).toBeCloseTo(0 + 90 + 15, 6);
  });
});
