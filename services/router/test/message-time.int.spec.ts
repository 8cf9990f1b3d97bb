import { TOPICS, type CloudEvent } from '@kanal/contracts';
import { consumerGroupLag, KafkajsEventBus, kafkaEnvSchema, topicEnvSchema } from '@kanal/kafka';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { api, busProbe, cleanUp, customerMessage, isolatedEnv, startTestRouter, uid } from './router-harness';

/**
 * The router does not trust the edges to have bounded `occurredAt`: a unified event whose provider
 * time is impossible (year 9999 would make the SLA due date year 10000, which no event or row can
 * carry) or ahead of its receipt is routed from its `receivedAt`, counted on
 * `kanal_router_time_bounded_total`, stored and published, and never dead-lettered.
 */
let env: Record<string, string>;
let router: RunningService;
let probe: Awaited<ReturnType<typeof busProbe>>;
let http: ReturnType<typeof api>;
let dlqBus: KafkajsEventBus;
const dlq: CloudEvent[] = [];

beforeAll(async () => {
  env = await isolatedEnv();
  probe = await busProbe(env);
  dlqBus = new KafkajsEventBus({ env: kafkaEnvSchema.parse(env), service: 'router-test-dlq' });
  await dlqBus.start();
  await dlqBus.subscribe({
    groupId: uid(),
    topics: [TOPICS.dlq],
    handler: async (r) => void dlq.push(...r.map((x) => x.event)),
  });
  router = await startTestRouter(env);
  http = api(router.port);
});

afterAll(async () => {
  await router?.shutdown('test done');
  await dlqBus?.stop();
  await probe?.stop();
  await cleanUp(env);
});

/** A unified event as it arrives on kanal.customers.v1, its message times replaced with `occurredAt`. */
function withOccurredAt(event: CloudEvent, occurredAt: string): CloudEvent {
  const data = event.data as { message: Record<string, unknown>; recent: Array<Record<string, unknown>> };
  return { ...event, data: { ...data, message: { ...data.message, occurredAt } } };
}

const boundedCount = async (kind: string) => {
  const text = await (await fetch(`http://127.0.0.1:${router.port}/metrics`)).text();
  const m = new RegExp(`^kanal_router_time_bounded_total\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

/** Every record the router was given is committed (handled or dead-lettered: never left pending). */
const drained = () =>
  waitFor(
    async () =>
      (await consumerGroupLag(
        topicEnvSchema.parse(env),
        env.ROUTER_GROUP_ID!,
        `${env.KAFKA_TOPIC_PREFIX}${TOPICS.customers}`,
      )) === 0,
    { what: 'the router group to commit past the events' },
  );

describe('router: message times it cannot use', () => {
  it.each([
    ['in year 9999', '9999-12-31T23:59:59.999Z'],
    ['before 1970', '1900-01-01T00:00:00Z'],
    ['six hours after its receipt', 'ahead'],
  ])(
    'routes a message with occurredAt %s from its receive time, stores and publishes it',
    async (_what, occurredAt) => {
      const customerId = uid();
      const conversationId = uid();
      const receivedAt = new Date();
      const iso = occurredAt === 'ahead' ? new Date(receivedAt.getTime() + 6 * 3_600_000).toISOString() : occurredAt;
      const before = await boundedCount('received');
      // whatsapp, general queue, P3: the test config's target is 1 h of wall-clock time.
      await probe.publish(
        withOccurredAt(customerMessage({ customerId, conversationId, text: 'merhaba', at: receivedAt }), iso),
      );

      const assigned = await waitFor(() => probe.of('kanal.conversation.assigned.v1', conversationId)[0], {
        what: 'assignment',
      });
      expect(assigned.data).toMatchObject({ queue: 'general', priority: 'P3', assignedAt: receivedAt.toISOString() });
      expect(assigned.data.slaDueAt).toBe(new Date(receivedAt.getTime() + 3_600_000).toISOString());
      expect(assigned.time).toBe(receivedAt.toISOString());

      const stored = await waitFor(
        async () => {
          const res = await http.get(`/v1/conversations/${conversationId}`);
          return res.status === 200 ? res.body : undefined;
        },
        { what: 'the stored conversation' },
      );
      expect(stored).toMatchObject({
        status: 'waiting',
        lastInboundAt: receivedAt.toISOString(),
        slaDueAt: assigned.data.slaDueAt,
      });
      expect(await boundedCount('received')).toBe(before + 1);
      await drained();
      expect(dlq).toEqual([]);
    },
  );

  it('records an outbound echo dated year 9999 as answered now, not in year 9999', async () => {
    const customerId = uid();
    const conversationId = uid();
    // In the past: the echo's receipt must not lie after the router's now (it would be clamped to it).
    const t0 = new Date(Date.now() - 10_000);
    await probe.publish(customerMessage({ customerId, conversationId, channel: 'webchat', text: 'yardım', at: t0 }));
    await waitFor(() => probe.of('kanal.conversation.assigned.v1', conversationId)[0], { what: 'assignment' });
    const echo = customerMessage({
      customerId,
      conversationId,
      channel: 'webchat',
      kind: 'sent',
      n: 1,
      at: new Date(t0.getTime() + 4_000),
    });
    await probe.publish(withOccurredAt(echo, '9999-12-31T23:59:59.999Z'));

    const responded = await waitFor(() => probe.of('kanal.conversation.updated.v1', conversationId)[0], {
      what: 'responded',
    });
    expect(responded.data).toMatchObject({
      reason: 'responded',
      firstResponseAt: new Date(t0.getTime() + 4_000).toISOString(),
    });
    const view = await waitFor(
      async () => {
        const res = await http.get(`/v1/conversations/${conversationId}`);
        return res.body.status === 'responded' ? res.body : undefined;
      },
      { what: 'the responded conversation' },
    );
    expect(view.firstResponseSeconds).toBe(4);
    expect(await boundedCount('sent')).toBe(1);
    await drained();
    expect(dlq).toEqual([]);
  });
});
