import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error';

/**
 * `kanal demo`: one customer writes on WhatsApp, then email, then Instagram (a shop customer id
 * links the three), against the running platform (`npm start`). Prints the unified timeline and
 * every routing decision, so a newcomer sees "never repeat yourself" end to end.
 */
export async function runDemo(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      api: { type: 'string', default: process.env.KANAL_API_URL ?? 'http://127.0.0.1:8081' },
      unifier: { type: 'string', default: process.env.KANAL_UNIFIER_URL ?? 'http://127.0.0.1:8090' },
      router: { type: 'string', default: process.env.KANAL_ROUTER_URL ?? 'http://127.0.0.1:8091' },
      token: { type: 'string', default: process.env.KANAL_TOKEN ?? 'kanal-dev-token-0000' },
    },
  });
  const call = async (base: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${values.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch((error: Error) => {
      throw new UsageError(`cannot reach ${base} (${error.message}); is the platform running (npm start)?`);
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const until = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const shop = `shop:DEMO-${randomUUID().slice(0, 6)}`;
  const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
  const journey = [
    {
      channel: 'whatsapp',
      identities: [{ type: 'phone', value: '0532 555 12 34' }],
      text: 'Merhaba, siparişim 5 gündür kargoda, hâlâ gelmedi.',
    },
    {
      channel: 'email',
      identities: [{ type: 'email', value: 'Ayse.Demo@Example.com' }],
      text: 'Kargom nerede? Sipariş no 4411.',
    },
    {
      channel: 'instagram',
      identities: [{ type: 'instagram', value: '17841400000000:990011' }],
      text: 'Hâlâ cevap alamadım!',
    },
  ];
  const ids: string[] = [];
  for (const [i, step] of journey.entries()) {
    const posted = await call(values.api, '/v1/messages', {
      channel: step.channel,
      accountId: 'demo-shop',
      externalId: `demo-${randomUUID()}`,
      conversationRef: `demo-${step.channel}`,
      occurredAt: at(i),
      sender: { displayName: 'Ayşe Demir', identities: [...step.identities, { type: 'external', value: shop }] },
      text: step.text,
    });
    if (posted.status !== 202)
      throw new Error(`connector-api answered ${posted.status}: ${JSON.stringify(posted.body)}`);
    ids.push(...(posted.body.ids as string[]));
    process.stdout.write(`→ ${step.channel.padEnd(9)} "${step.text}"\n`);
  }

  const customerId = await until('the unifier', async () => {
    const r = await call(values.unifier, `/v1/identities/external/${encodeURIComponent(shop)}`);
    return r.status === 200 ? (r.body.customerId as string) : undefined;
  });
  const timeline = await until('three messages in the timeline', async () => {
    const r = await call(values.unifier, `/v1/customers/${customerId}/timeline`);
    const items = (r.body.items ?? []) as Array<Record<string, string>>;
    return items.length >= 3 ? items : undefined;
  });
  process.stdout.write(`\none customer: ${customerId}\nunified timeline (newest first):\n`);
  for (const m of timeline)
    process.stdout.write(`  ${m.occurredAt}  ${String(m.channel).padEnd(9)} ${m.direction}  ${m.text}\n`);

  const conversation = await until('the router', async () => {
    const r = await call(values.router, `/v1/customers/${customerId}/conversations`);
    const items = (r.body.items ?? []) as Array<Record<string, string>>;
    if (!items[0]) return undefined;
    const detail = await call(values.router, `/v1/conversations/${items[0].id}`);
    const history = (detail.body.history ?? []) as unknown[];
    return history.length >= 3 ? detail.body : undefined;
  });
  process.stdout.write(
    `\nconversation ${conversation.id}: queue ${conversation.queue}, priority ${conversation.priority}, SLA due ${conversation.slaDueAt}\nrouting decisions:\n`,
  );
  for (const h of conversation.history as Array<Record<string, unknown>>) {
    const why = [
      h.reason,
      ...((h.ruleIds as string[]) ?? []),
      ...((h.matchedTerms as string[]) ?? []).map((t) => `"${t}"`),
    ].filter(Boolean);
    process.stdout.write(`  ${String(h.type).padEnd(32)} ${h.queue} ${h.priority}  ${why.join(' ')}\n`);
  }
  return 0;
}
