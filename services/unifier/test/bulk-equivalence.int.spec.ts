import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { CloudEvent, InboundData, KanalEvent } from '@kanal/contracts';
import { createPool, migrate, withTransaction, type Pool } from '@kanal/postgres';
import { MIGRATIONS_DIR } from '../src/app';
import { IdentityPolicy } from '../src/identity/identity-policy';
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
         FROM conversations c ORDER BY first NULLS LAST, status`,
    ),
    messages: await q(
      `SELECT m.external_id, m.state, (SELECT min(o.external_id) FROM messages o WHERE o.customer_id = m.customer_id) AS customer
         FROM messages m ORDER BY m.external_id`,
    ),
    suggestions: await q(
      `SELECT identity_type, identity_value, reason, source_event_id FROM link_suggestions ORDER BY source_event_id, identity_value`,
    ),
    pending: await q(`SELECT count(*)::int AS n FROM pending_state_events`),
  };
}

it('gives the same customers, conversations, messages and events as the per-message path', async () => {
  const events = scenario() as Array<KanalEvent & { data: InboundData }>;
  const bulk = await withTransaction(pools.bulk!, (c) => unifyInboundEvents(c, events, ctx));
  const single = [];
  for (const e of events) single.push(...(await withTransaction(pools.single!, (c) => unifyInboundEvents(c, [e], ctx))));

  expect(bulk.map((o) => o.event.type)).toEqual(single.map((o) => o.event.type));
  expect(canonical(bulk.map((o) => o.event))).toEqual(canonical(single.map((o) => o.event)));
  expect(await state(pools.bulk!)).toEqual(await state(pools.single!));
  const types = bulk.map((o) => o.event.type);
  // The scenario did reach every branch it is meant to.
  expect(types.filter((t) => t === 'kanal.customer.merged.v1')).toHaveLength(1);
  expect(types.filter((t) => t === 'kanal.customer.link-suggested.v1').length).toBeGreaterThanOrEqual(3);
  expect(bulk.filter((o) => (o.event.data as { kind?: string }).kind === 'status')).toHaveLength(2);

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
  expect(outputs.map((o) => o.event.id)).toEqual([outputs[0]!.event.id, outputs[1]!.event.id, outputs[0]!.event.id]);
  const { rows } = await pools.bulk!.query(
    `SELECT message_count FROM conversations c JOIN identities i ON i.customer_id = c.customer_id WHERE i.value = $1`,
    [email(50).value],
  );
  expect(rows).toEqual([{ message_count: 2 }]);
});
