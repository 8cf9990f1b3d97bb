import { buildEvent, customerEventId, TOPICS, type CloudEvent } from '@kanal/contracts';
import { consumerGroupLag, KafkajsEventBus, kafkaEnvSchema, topicEnvSchema } from '@kanal/kafka';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { api, busProbe, cleanUp, customerMessage, isolatedEnv, startTestRouter, uid } from './router-harness';

/**
 * `kanal.customer.updated.v1` (an agent changed a name or attributes in the unifier): consumed and
 * committed, never dead-lettered. The router keeps no attributes (rules read each message's), so
 * only a new name is written into the conversations' customer summary.
 */
let env: Record<string, string>;
let router: RunningService;
let probe: Awaited<ReturnType<typeof busProbe>>;
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
});

afterAll(async () => {
  await router?.shutdown('test done');
  await dlqBus?.stop();
  await probe?.stop();
  await cleanUp(env);
});

function updated(
  customerId: string,
  changes: Record<string, unknown>,
  attributes: Record<string, string> = {},
): CloudEvent {
  const updateId = uid();
  return buildEvent({
    type: 'kanal.customer.updated.v1',
    id: customerEventId('updated', updateId),
    source: 'kanal/unifier',
    subject: customerId,
    data: {
      updateId,
      customerId,
      customer: {
        id: customerId,
        displayName: 'Ayşe Yılmaz',
        identities: [{ type: 'phone', value: '+905321234567' }],
        attributes,
      },
      changes,
      actor: 'agent-3',
      updatedAt: new Date().toISOString(),
    },
  });
}

it('consumes customer updates, commits their offsets, dead-letters nothing, and carries a new name on later routing events', async () => {
  const customerId = uid();
  const conversationId = uid();
  await probe.publish(customerMessage({ customerId, conversationId, text: 'kargom gelmedi' }));
  const assigned = await waitFor(() => probe.of('kanal.conversation.assigned.v1', conversationId)[0], {
    what: 'assignment',
  });
  expect(assigned.data.customer.displayName).toBe('Ayşe');

  await probe.publish(
    updated(customerId, { attributes: { tier: 'vip' } }, { tier: 'vip' }),
    updated(customerId, { displayName: 'Ayşe Yılmaz' }),
  );
  const topicEnv = topicEnvSchema.parse(env);
  await waitFor(
    async () =>
      (await consumerGroupLag(topicEnv, env.ROUTER_GROUP_ID!, `${env.KAFKA_TOPIC_PREFIX}${TOPICS.customers}`)) === 0,
    {
      what: 'the router group to commit past the updates',
    },
  );

  const closed = await api(router.port).post(`/v1/conversations/${conversationId}/close`);
  expect(closed.status).toBe(200);
  const event = await waitFor(() => probe.of('kanal.conversation.closed.v1', conversationId)[0], {
    what: 'the closed event',
  });
  expect(event.data.customer).toMatchObject({ id: customerId, displayName: 'Ayşe Yılmaz' });
  const metrics = await (await fetch(`http://127.0.0.1:${router.port}/metrics`)).text();
  expect(metrics).toMatch(/kanal_dropped_total\{[^}]*reason="attributes-apply-on-next-message"[^}]*\} 1/);
  expect(dlq).toEqual([]);
});
