import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { buildInboundEvent, TOPICS, type InboundEventType } from '@kanal/contracts';
import { waitFor } from '@kanal/testing';
import { startPipeline } from './pipeline-harness';

let p: Awaited<ReturnType<typeof startPipeline>>;
beforeAll(async () => {
  p = await startPipeline();
}, 60_000);
afterAll(() => p.stop(), 30_000);

const base = () => ({
  channel: 'whatsapp' as const,
  provider: 'whatsapp-cloud' as const,
  accountId: 'pn-1',
  direction: 'inbound' as const,
  conversationRef: 'c-state',
  occurredAt: new Date().toISOString(),
  receivedAt: new Date().toISOString(),
});
const sender = { identities: [{ type: 'phone' as const, value: '+905321119999' }] };

async function publish(type: InboundEventType, data: Record<string, unknown>) {
  const event = buildInboundEvent(type, { ...base(), ...data } as never, { source: 'kanal/test' });
  await p.bus.publish([{ topic: TOPICS.inbound, key: event.subject!, event }]);
  return event.id;
}

const unifiedFor = (id: string) =>
  waitFor(() => p.customers.find((r) => (r.event.data as { source?: { eventId: string } }).source?.eventId === id), {
    what: `unified event for ${id}`,
  });

it('applies edits, reactions and statuses to the stored message, and parks early statuses until it arrives', async () => {
  const wamid = `wamid.${randomUUID()}`;
  // The status outruns its message (different keys, different partitions): it is parked, not dropped.
  const early = await publish('kanal.message.status.v1', {
    externalId: `${wamid}:read`,
    target: { externalId: wamid },
    status: 'read',
    conversationRef: 'other',
  });
  const msg = await publish('kanal.message.received.v1', {
    externalId: wamid,
    sender,
    text: 'Siparis nerede',
    attachments: [],
  });
  const edit = await publish('kanal.message.edited.v1', {
    externalId: `${wamid}:edit`,
    target: { externalId: wamid },
    sender,
    text: 'Sipariş nerede?',
  });
  const react = await publish('kanal.reaction.changed.v1', {
    externalId: `${wamid}:react`,
    target: { externalId: wamid },
    sender,
    emoji: '🙏',
  });
  const [m, e, r, s] = await Promise.all([unifiedFor(msg), unifiedFor(edit), unifiedFor(react), unifiedFor(early)]);
  const messageId = (m.event.data as { messageId: string }).messageId;
  for (const x of [e, r, s]) expect((x.event.data as { messageId: string }).messageId).toBe(messageId);
  expect((s.event.data as { kind: string }).kind).toBe('status');
  const customerId = (m.event.data as { customer: { id: string } }).customer.id;
  const timeline = (await (await p.unifier(`/v1/customers/${customerId}/timeline`)).json()) as {
    items: Array<{
      externalId: string;
      text: string;
      state: { reactions: object; status: { status: string }; edits: unknown[] };
    }>;
  };
  expect(timeline.items).toHaveLength(1);
  expect(timeline.items[0]).toMatchObject({ externalId: wamid, text: 'Sipariş nerede?' });
  expect(timeline.items[0]!.state.status.status).toBe('read');
  expect(timeline.items[0]!.state.edits).toHaveLength(1);
  expect(Object.values(timeline.items[0]!.state.reactions)).toEqual([expect.objectContaining({ emoji: '🙏' })]);
});

it('dead-letters malformed events with a code and keeps consuming', async () => {
  const good = buildInboundEvent(
    'kanal.message.received.v1',
    { ...base(), externalId: `ok-${randomUUID()}`, sender, attachments: [] },
    { source: 'kanal/test' },
  );
  const wrongTopic = { ...good, id: randomUUID(), type: 'kanal.sla.breached.v1' };
  const raw = (value: string) => ({ key: 'bad', value: Buffer.from(value) });
  const bus = p.bus as unknown as {
    publishRaw(topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<void>;
  };
  await bus.publishRaw(`${p.prefix}${TOPICS.inbound}`, [
    raw('{"specversion":'),
    raw(JSON.stringify({ ...good, id: randomUUID(), data: { ...good.data, channel: 'fax' } })),
    raw(
      JSON.stringify({
        ...good,
        id: randomUUID(),
        type: 'kanal.message.received.v1',
        data: { ...good.data, sender: { identities: 'x' } },
      }),
    ),
  ]);
  await p.bus.publish([{ topic: TOPICS.inbound, key: 'bad', event: wrongTopic as never }]).catch(() => undefined);
  await p.bus.publish([{ topic: TOPICS.inbound, key: good.subject!, event: good }]);
  await unifiedFor(good.id);
  const codes = await waitFor(
    () => (p.dlq.length >= 3 ? p.dlq.map((r) => (r.event.data as { code: string }).code) : undefined),
    {
      what: 'three dead letters',
    },
  );
  expect(codes).toEqual(expect.arrayContaining(['EVENT.UNDECODABLE', 'EVENT.INVALID_DATA']));
  expect(codes.filter((c) => !/^(EVENT|UNIFIER)\./.test(c))).toEqual([]);
});
