import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { CloudEvent, InboundData, KanalEvent } from '@kanal/contracts';
import { createPool, migrate, withTransaction, type Pool } from '@kanal/postgres';
import { MIGRATIONS_DIR } from '../src/app';
import { IdentityPolicy } from '../src/identity/identity-policy';
import { rejectSuggestion } from '../src/use-cases/review-suggestion';
import { unifyInboundEvents, type UnifyContext } from '../src/use-cases/unify-inbound-event';

/**
 * The set-based batch path must be indistinguishable from the per-message path it speeds up: the
 * same sequence of events, once as one batch and once one event per transaction, must leave the
 * same customers, conversations, messages and suggestions and publish the same events.
 */
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = randomUUID().slice(0, 8);
const schemas = { bulk: `t_bulk_${run}`, single: `t_single_${run}` };
const pools: Record<string, Pool> = {};
const ctx: UnifyContext = {
  policy: new IdentityPolicy({ blocked: [], business: [], limits: { phone: 2 } }),
  idleHours: 24,
  defaultRegion: 'TR',
};

beforeAll(async () => {
  for (const [name, schema] of Object.entries(schemas)) {
    await migrate({ databaseUrl: url, schema, dir: MIGRATIONS_DIR });
    pools[name] = createPool(url, { max: 2, service: 'bulk-test', schema });
  }
}, 60_000);
afterAll(async () => {
  for (const [name, schema] of Object.entries(schemas)) {
    await pools[name]!.query(`DROP SCHEMA ${schema} CASCADE`);
    await pools[name]!.end();
  }
});

let seq = 0;
const t0 = Date.parse('2026-11-20T09:00:00Z');
function message(
  channel: string,
  identities: Array<{ type: string; value: string }>,
  extra: Record<string, unknown> = {},
  minutes = seq,
): KanalEvent {
  seq++;
  const at = new Date(t0 + minutes * 60_000).toISOString();
  return event('kanal.message.received.v1', {
    channel,
    provider: 'http',
    accountId: 'acme',
    direction: 'inbound',
    externalId: `m-${seq}`,
    conversationRef: `${channel}-${identities[0]?.value ?? 'none'}`,
    sender: { identities, ...(extra.displayName ? { displayName: extra.displayName } : {}) },
    text: (extra.text as string) ?? `message ${seq}`,
    attachments: [],
    occurredAt: at,
    receivedAt: at,
  });
}

/** An outbound echo: the business (sender) wrote to a customer (recipient). */
function echo(business: Array<{ type: string; value: string }>, customer: Array<{ type: string; value: string }>): KanalEvent {
  seq++;
  const at = new Date(t0 + seq * 60_000).toISOString();
  return event('kanal.message.sent.v1', {
    channel: 'email',
    provider: 'imap',
    accountId: 'destek@firma.com.tr',
    direction: 'outbound',
    externalId: `e-${seq}`,
    conversationRef: `email-${customer[0]!.value}`,
    sender: { identities: business },
    recipient: { identities: customer },
    text: `reply ${seq}`,
    attachments: [],
    occurredAt: at,
    receivedAt: at,
  });
}

/** An inbound message that names the business's side (the recipient), as connectors now do. */
function toBusiness(identities: Array<{ type: string; value: string }>, business: Array<{ type: string; value: string }>) {
  const m = message('whatsapp', identities) as KanalEvent & { data: Record<string, unknown> };
  m.data.provider = 'whatsapp-cloud';
  m.data.recipient = { identities: business };
  return m;
}

function status(targetExternalId: string, value: string): KanalEvent {
  seq++;
  const at = new Date(t0 + seq * 60_000).toISOString();
  return event('kanal.message.status.v1', {
    channel: 'whatsapp',
    provider: 'http',
    accountId: 'acme',
    direction: 'outbound',
    externalId: `s-${seq}`,
    conversationRef: 'whatsapp-status',
    target: { externalId: targetExternalId },
    status: value,
    occurredAt: at,
    receivedAt: at,
  });
}

function event(type: string, data: Record<string, unknown>): KanalEvent {
  return {
    specversion: '1.0',
    id: `${run}-${seq}`,
    source: 'kanal/test',
    type,
    time: data.occurredAt as string,
    datacontenttype: 'application/json',
    data,
  } as unknown as KanalEvent;
}

const phone = (n: number) => ({ type: 'phone', value: `+90532000${String(n).padStart(4, '0')}` });
const email = (n: number) => ({ type: 'email', value: `p${n}@example.com` });
const businessPhone = { type: 'phone', value: '+908501234567' };
const businessMail = { type: 'email', value: 'destek@firma.com.tr' };

/** Every shape the batch path handles itself, and the ones it must hand back to the per-message path. */
function scenario(): KanalEvent[] {
  return [
    message('whatsapp', [phone(1)], { displayName: 'Ayşe' }),
    message('whatsapp', [phone(1)]), // returning, same conversation
    status('m-1', 'read'), // a state event between messages breaks the run
    message('email', [email(1), phone(1)]), // cross-channel: email attaches to the phone's customer
    message('email', [email(2)], { text: 'my other address is p1@example.com' }), // mention → suggestion
    message('email', [email(2)], { text: 'again p1@example.com' }), // the same suggestion is not repeated
    message('whatsapp', [phone(2)], { displayName: 'Mehmet' }),
    message('whatsapp', [phone(2), phone(3), phone(4)]), // passes the phone limit: suggestion
    status('m-20', 'delivered'), // parked: its message arrives later in the batch
    message('email', [{ type: 'email', value: 'info@shop.example' }]), // blocked only: thread customer
    message('webchat', [{ type: 'webchat', value: 'v-9' }, email(3)], { displayName: 'Zeynep' }),
    message('whatsapp', [phone(5)], {}, 30),
    message('whatsapp', [phone(5)], {}, 31 + 25 * 60), // after the idle timeout: a new conversation
    message('email', [email(1), email(2)]), // two customers: a merge (per-message path)
    message('whatsapp', [phone(6)]),
    message('whatsapp', [phone(6)]),
    message('whatsapp', [phone(7)]),
    message('whatsapp', [phone(7)]),
    message('whatsapp', [phone(8)]),
    message('whatsapp', [phone(8)]), // m-20, the message the parked status waits for
    ...Array.from({ length: 7 }, () => message('whatsapp', [phone(9)])), // recent[] keeps the last five
    // Business identities are learned from the messages' business side, each from its message on.
    message('email', [email(25), businessMail]), // before it is learned: an ordinary identity of O
    message('whatsapp', [phone(22), businessPhone]), // before it is learned: linked to P22
    toBusiness([phone(20)], [businessPhone]), // teaches the business phone (recipient of an inbound)
    echo([businessMail], [email(21)]), // teaches the mailbox (sender of an outbound echo)
    message('whatsapp', [phone(23), businessPhone]), // blocked now: P23 gets a suggestion pointing at P22
    message('email', [email(23), businessMail]), // blocked, owned by O: the suggestion points at O
    message('email', [email(25), businessMail]), // O itself: the pair (O, E23) is suggested once only
    message('webchat', [businessPhone]), // only a blocked value: a thread customer, pointed at P23
    message('whatsapp', [phone(23), businessPhone]), // P23 again: no second suggestion
  ];
}

/** Ids are random per path: name each by its first appearance, drop wall-clock fields. */
function canonical(outputs: CloudEvent[]): unknown {
  const names = new Map<string, string>();
  const json = JSON.stringify(outputs, (key, value) =>
    ['createdAt', 'suggestedAt', 'mergedAt', 'time', 'traceparent'].includes(key) ? undefined : value,
  );
  return JSON.parse(
    json.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
      if (!names.has(id)) names.set(id, `id${names.size}`);
      return names.get(id)!;
    }),
    (key, value) =>
      key === 'identities' && Array.isArray(value)
        ? [...value].sort((a, b) => `${a.type}:${a.value}`.localeCompare(`${b.type}:${b.value}`))
        : value,
  );
}

async function state(pool: Pool) {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    customers: await q(`SELECT count(*)::int AS n, count(merged_into)::int AS merged FROM customers`),
    identities: await q(
      `SELECT i.type, i.value, min(m.external_id) AS first_message FROM identities i
         JOIN messages m ON m.customer_id = i.customer_id GROUP BY i.type, i.value ORDER BY 1, 2`,
    ),
    conversations: await q(
      `SELECT status, message_count, channels, (SELECT min(external_id) FROM messages m WHERE m.conversation_id = c.id) AS first
         FROM conversations c ORDER BY first NULLS LAST, status, message_count`,
    ),
    messages: await q(
      `SELECT m.external_id, m.state, (SELECT min(o.external_id) FROM messages o WHERE o.customer_id = m.customer_id) AS customer
         FROM messages m ORDER BY m.external_id`,
    ),
    suggestions: await q(
      `SELECT identity_type, identity_value, reason, source_event_id, status, detail,
              (SELECT min(external_id) FROM messages m WHERE m.customer_id = s.candidate_customer_id) AS candidate
         FROM link_suggestions s ORDER BY source_event_id, identity_value`,
    ),
    pending: await q(`SELECT count(*)::int AS n FROM pending_state_events`),
    learned: await q(`SELECT type, value, channel, provider, account_id FROM learned_identities ORDER BY 1, 2`),
    presentations: await q(
      `SELECT type, value, presented_at, (SELECT min(external_id) FROM messages m WHERE m.customer_id = b.customer_id) AS customer
         FROM blocked_presentations b ORDER BY 1, 2, 3`,
    ),
  };
}

type Batch = Array<KanalEvent & { data: InboundData }>;

/** The events as one batch on the bulk schema, and one transaction per event on the other. */
async function runBoth(events: KanalEvent[]) {
  const batch = events as Batch;
  const bulk = await withTransaction(pools.bulk!, (c) => unifyInboundEvents(c, batch, ctx));
  const single = [];
  for (const e of batch) single.push(...(await withTransaction(pools.single!, (c) => unifyInboundEvents(c, [e], ctx))));
  return { bulk, single };
}

const suggested = (outputs: Array<{ event: CloudEvent }>) =>
  outputs.filter((o) => o.event.type === 'kanal.customer.link-suggested.v1').map((o) => o.event.data as Record<string, unknown>);

it('gives the same customers, conversations, messages and events as the per-message path', async () => {
  const events = scenario() as Batch;
  const { bulk, single } = await runBoth(events);

  expect(bulk.map((o) => o.event.type)).toEqual(single.map((o) => o.event.type));
  expect(canonical(bulk.map((o) => o.event))).toEqual(canonical(single.map((o) => o.event)));
  expect(await state(pools.bulk!)).toEqual(await state(pools.single!));
  const types = bulk.map((o) => o.event.type);
  // The scenario did reach every branch it is meant to.
  expect(types.filter((t) => t === 'kanal.customer.merged.v1')).toHaveLength(1);
  expect(types.filter((t) => t === 'kanal.customer.link-suggested.v1').length).toBeGreaterThanOrEqual(3);
  expect(bulk.filter((o) => (o.event.data as { kind?: string }).kind === 'status')).toHaveLength(2);
  const blocked = suggested(bulk).filter((s) => s.reason === 'blocked-identity');
  // P23 → P22 (presented it last), E23 → O (owns it), the thread customer → P23; O → E23 is the same pair.
  expect(blocked.filter((s) => s.candidateCustomerId)).toHaveLength(3);
  expect(blocked.filter((s) => (s.identity as { value: string }).value === businessMail.value)).toHaveLength(1);
  expect((await state(pools.bulk!)).learned).toHaveLength(2);

  // A redelivered batch re-emits exactly what the first delivery produced and changes nothing.
  const before = await state(pools.bulk!);
  const again = await withTransaction(pools.bulk!, (c) => unifyInboundEvents(c, events, ctx));
  expect(again.map((o) => o.event.id)).toEqual(bulk.map((o) => o.event.id));
  expect(await state(pools.bulk!)).toEqual(before);
});

it('counts a batch with repeated events once and re-emits the first copy for the repeat', async () => {
  const events = [message('api', [email(50)]), message('api', [email(50)])];
  const batch = [events[0]!, events[1]!, events[0]!] as Array<KanalEvent & { data: InboundData }>;
  const outputs = await withTransaction(pools.bulk!, (c) => unifyInboundEvents(c, batch, ctx));
  await withTransaction(pools.single!, (c) => unifyInboundEvents(c, batch, ctx)); // keeps the two schemas alike
  expect(outputs.map((o) => o.event.id)).toEqual([outputs[0]!.event.id, outputs[1]!.event.id, outputs[0]!.event.id]);
  const { rows } = await pools.bulk!.query(
    `SELECT message_count FROM conversations c JOIN identities i ON i.customer_id = c.customer_id WHERE i.value = $1`,
    [email(50).value],
  );
  expect(rows).toEqual([{ message_count: 2 }]);
});

it('never suggests a rejected pair again for that reason, on either path, also after a merge redirected one', async () => {
  const shop = { type: 'email', value: 'satis@firma.com.tr' };
  const other = { type: 'email', value: 'muhasebe@firma.com.tr' };
  // X owns both business addresses before they are learned; V is older than Y (an earlier batch:
  // customers one run creates share its clock, and a merge keeps the older).
  await runBoth([message('email', [email(34)])]);
  await runBoth([
    message('email', [email(30), shop, other]),
    echo([shop, other], [email(31)]),
    message('email', [email(32), shop]), // Y presents one: suggested with X
  ]);
  for (const pool of [pools.bulk!, pools.single!]) {
    const { rows } = await pool.query(`SELECT id FROM link_suggestions WHERE identity_value = $1`, [shop.value]);
    expect(rows).toHaveLength(1);
    await withTransaction(pool, (c) => rejectSuggestion(c, rows[0].id, { actor: 'agent-7' }));
  }
  const { bulk, single } = await runBoth([
    message('email', [email(32), email(34)]), // Y merges into V (older): Y's id now redirects
    message('email', [email(34), other]), // V (with Y) presents the other address of X: rejected pair
    message('email', [email(36), other]), // a third customer: suggested with X as usual
  ]);
  expect(canonical(bulk.map((o) => o.event))).toEqual(canonical(single.map((o) => o.event)));
  expect(await state(pools.bulk!)).toEqual(await state(pools.single!));
  expect(bulk.filter((o) => o.event.type === 'kanal.customer.merged.v1')).toHaveLength(1);
  expect(suggested(bulk).map((s) => s.identity)).toEqual([other]);
  const { rows } = await pools.bulk!.query(`SELECT status FROM link_suggestions WHERE identity_value = $1 ORDER BY status`, [other.value]);
  expect(rows.map((r) => r.status)).toEqual(['open', 'suppressed']);
});
