import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@kanal/testing';
import { message, startPipeline } from './pipeline-harness';

let p: Awaited<ReturnType<typeof startPipeline>>;
beforeAll(async () => {
  p = await startPipeline({ UNIFIER_BLOCKED_IDENTITIES: 'email:ortak@*' });
}, 60_000);
afterAll(() => p.stop(), 30_000);

const sender = (...identities: Array<[string, string]>) => ({
  identities: identities.map(([type, value]) => ({ type, value })),
});

async function post(body: unknown) {
  const res = await p.api('/v1/messages', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(202);
  return (await res.json()) as { ids: string[] };
}

/** Waits until the unifier has published the unified event of every posted id. */
async function unified(ids: string[]) {
  return waitFor(
    () => {
      const found = ids.map((id) =>
        p.customers.find((r) => (r.event.data as { source?: { eventId: string } }).source?.eventId === id),
      );
      return found.every(Boolean)
        ? found.map((r) => r!.event.data as { customer: { id: string }; conversation: { id: string } })
        : undefined;
    },
    { timeoutMs: 20_000, what: `unified events for ${ids.length} messages` },
  );
}

async function customerOf(type: string, value: string): Promise<string> {
  const res = await p.unifier(`/v1/identities/${type}/${encodeURIComponent(value)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { customerId: string }).customerId;
}

describe('unifier through connector-api', () => {
  it('links a WhatsApp LID + phone arriving together, then the phone alone, to one customer', async () => {
    const a = await post(
      message({ channel: 'whatsapp', sender: sender(['whatsapp-lid', '1111@lid'], ['phone', '+905321110001']) }),
    );
    const b = await post(message({ channel: 'whatsapp', sender: sender(['phone', '0532 111 00 01']) }));
    const [x, y] = await unified([...a.ids, ...b.ids]);
    expect(x!.customer.id).toBe(y!.customer.id);
    expect(await customerOf('whatsapp-lid', '1111@lid')).toBe(x!.customer.id);
    expect(x!.conversation.id).toBe(y!.conversation.id);
  });

  it('treats national and E.164 phones and email case variants as one customer', async () => {
    const a = await post(message({ sender: sender(['phone', '+90 532 111 00 02']) }));
    const b = await post(message({ channel: 'api', sender: sender(['phone', '05321110002']) }));
    const c = await post(message({ channel: 'email', sender: sender(['email', 'Ayse.Demir@Example.com']) }));
    const d = await post(message({ channel: 'email', sender: sender(['email', ' ayse.demir@example.COM ']) }));
    const [ua, ub, uc, ud] = await unified([...a.ids, ...b.ids, ...c.ids, ...d.ids]);
    expect(ua!.customer.id).toBe(ub!.customer.id);
    expect(uc!.customer.id).toBe(ud!.customer.id);
  });

  it('links an Instagram user and an email customer through a shared external shop id', async () => {
    const ig = await post(message({ channel: 'instagram', sender: sender(['instagram', '1784:2001']) }));
    const mail = await post(message({ channel: 'email', sender: sender(['email', 'mehmet@example.com']) }));
    await unified([...ig.ids, ...mail.ids]);
    const igLink = await post(
      message({ channel: 'instagram', sender: sender(['instagram', '1784:2001'], ['external', 'shop:C-77']) }),
    );
    const mailLink = await post(
      message({ channel: 'email', sender: sender(['email', 'mehmet@example.com'], ['external', 'shop:C-77']) }),
    );
    await unified([...igLink.ids, ...mailLink.ids]);
    expect(await customerOf('instagram', '1784:2001')).toBe(await customerOf('email', 'mehmet@example.com'));
    await waitFor(() => p.customers.some((r) => r.event.type === 'kanal.customer.merged.v1'), { what: 'merged event' });
  });

  it('suggests, never merges, an email written inside a WhatsApp text', async () => {
    const owner = await post(message({ channel: 'email', sender: sender(['email', 'zeynep@example.com']) }));
    const wa = await post(
      message({ channel: 'whatsapp', sender: sender(['phone', '+905321110003']), text: 'e-postam zeynep@example.com' }),
    );
    const [o, w] = await unified([...owner.ids, ...wa.ids]);
    expect(o!.customer.id).not.toBe(w!.customer.id);
    const suggestion = await waitFor(() =>
      p.customers.find(
        (r) =>
          r.event.type === 'kanal.customer.link-suggested.v1' &&
          (r.event.data as { customerId: string }).customerId === w!.customer.id,
      ),
    );
    expect(suggestion.event.data).toMatchObject({ reason: 'mentioned-in-text', candidateCustomerId: o!.customer.id });
  });

  it('keeps two people writing from a blocked shared address, and two with the same name, apart', async () => {
    const a = await post(
      message({
        channel: 'email',
        conversationRef: 'thread-a',
        sender: { displayName: 'Ali', ...sender(['email', 'ortak@firma.com']) },
      }),
    );
    const b = await post(
      message({
        channel: 'email',
        conversationRef: 'thread-b',
        sender: { displayName: 'Veli', ...sender(['email', 'ortak@firma.com']) },
      }),
    );
    const c = await post(message({ sender: { displayName: 'Ayşe Yılmaz', ...sender(['webchat', 'shop:v1']) } }));
    const d = await post(message({ sender: { displayName: 'Ayşe Yılmaz', ...sender(['webchat', 'shop:v2']) } }));
    const [ua, ub, uc, ud] = await unified([...a.ids, ...b.ids, ...c.ids, ...d.ids]);
    expect(ua!.customer.id).not.toBe(ub!.customer.id);
    expect(uc!.customer.id).not.toBe(ud!.customer.id);
  });

  it('stores a duplicate POST once and re-emits the same unified event id', async () => {
    const m = message({ sender: sender(['webchat', 'shop:dup']) });
    const first = await post(m);
    const second = await post(m);
    expect(second.ids).toEqual(first.ids);
    const [u] = await unified(first.ids);
    const res = await p.unifier(`/v1/customers/${u!.customer.id}/timeline`);
    const timeline = (await res.json()) as { items: Array<{ externalId: string }> };
    expect(timeline.items.filter((i) => i.externalId === m.externalId)).toHaveLength(1);
  });

  it('restores both timelines exactly when a merge is split', async () => {
    const a1 = await post(message({ sender: sender(['webchat', 'shop:s1']), text: 'a1' }));
    const a2 = await post(message({ sender: sender(['webchat', 'shop:s1']), text: 'a2' }));
    const b1 = await post(message({ channel: 'email', sender: sender(['email', 'split@example.com']), text: 'b1' }));
    const [ua, , ub] = await unified([...a1.ids, ...a2.ids, ...b1.ids]);
    const timeline = async (id: string) =>
      (
        (await (await p.unifier(`/v1/customers/${id}/timeline`)).json()) as { items: Array<{ externalId: string }> }
      ).items
        .map((i) => i.externalId)
        .sort();
    const before = [await timeline(ua!.customer.id), await timeline(ub!.customer.id)];
    const merged = await p.unifier('/v1/customers/merge', {
      method: 'POST',
      body: JSON.stringify({ customerIds: [ub!.customer.id, ua!.customer.id], reason: 'same person (agent checked)' }),
    });
    expect(merged.status).toBe(200);
    const merge = (await merged.json()) as { mergeId: string; survivorId: string; mergedId: string };
    expect(merge.survivorId).toBe(ua!.customer.id);
    expect(await timeline(ua!.customer.id)).toEqual([...before[0]!, ...before[1]!].sort());
    expect(await customerOf('email', 'split@example.com')).toBe(ua!.customer.id);
    const split = await p.unifier(`/v1/customers/${merge.survivorId}/split`, {
      method: 'POST',
      body: JSON.stringify({ mergeId: merge.mergeId, reason: 'wrong merge' }),
    });
    expect(split.status).toBe(200);
    expect(await timeline(ua!.customer.id)).toEqual(before[0]);
    expect(await timeline(ub!.customer.id)).toEqual(before[1]);
    expect(await customerOf('email', 'split@example.com')).toBe(ub!.customer.id);
    await waitFor(() => p.customers.some((r) => r.event.type === 'kanal.customer.split.v1'), { what: 'split event' });
  });

  it('answers bad API input with 400/404 and reasons', async () => {
    const bad = await p.api('/v1/messages', {
      method: 'POST',
      body: JSON.stringify([message({ sender: sender(['phone', 'call me']) }), { channel: 'pigeon' }]),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { code: string; details: { issues: Array<{ path: string }> } };
    expect(body.code).toBe('API.INVALID_MESSAGE');
    const paths = body.details.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['[0].sender.identities.0.value', '[1].channel', '[1].externalId']));
    expect((await p.unifier('/v1/customers/not-a-uuid')).status).toBe(400);
    expect((await p.unifier('/v1/customers/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await p.unifier('/v1/identities/fax/123')).status).toBe(400);
    expect((await p.unifier('/v1/identities/email/nobody%40example.com')).status).toBe(404);
    expect((await p.unifier('/v1/customers/merge', { method: 'POST', body: '{}' })).status).toBe(400);
    expect((await p.api('/v1/messages', { method: 'POST', body: '[]' })).status).toBe(400);
    expect(
      (
        await p.api('/v1/messages', {
          method: 'POST',
          body: '{}',
          headers: { authorization: 'Bearer nope-nope-nope-nope' },
        })
      ).status,
    ).toBe(401);
  });
});
