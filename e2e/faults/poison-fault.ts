import { randomUUID } from 'node:crypto';
import { inboundKey, TOPICS } from '@kanal/contracts';
import { groupProgress, KafkajsEventBus, kafkaEnvSchema, topicEnvSchema } from '@kanal/kafka';
import { waitFor } from '@kanal/testing';
import type { Fault, FaultContext } from './faults';
import { apiMessage } from './payloads';
import { TOKEN } from './stack';
import { readTopic } from './topic-reader';

/** Messages the suite sends right behind the poison, on its partition. */
const BEHIND = 20;
/** How soon they must be unified after the poison landed. */
const WITHIN_MS = 10_000;

/**
 * A record on kanal.inbound.v1 the unifier rejects (no `sender`) whose dead letter, wrapped whole,
 * would be twice the broker's limit: half a million quotes escape once in the record (~1 MB) and
 * again in the letter (~2 MB). Before dead letters were cut to fit, its partition stalled forever.
 */
function poisonRecord(conversationRef: string) {
  const key = inboundKey({ channel: 'webchat', accountId: 'faults', conversationRef });
  const now = new Date().toISOString();
  const event = {
    specversion: '1.0',
    id: `poison-${randomUUID()}`,
    source: 'kanal/fault-suite',
    type: 'kanal.message.received.v1',
    time: now,
    subject: key,
    datacontenttype: 'application/json',
    data: {
      channel: 'webchat',
      provider: 'http',
      accountId: 'faults',
      direction: 'inbound',
      externalId: `poison-${randomUUID()}`,
      conversationRef,
      occurredAt: now,
      receivedAt: now,
      fullText: '"'.repeat(480_000),
    },
  };
  return { key, value: JSON.stringify(event) };
}

async function publishRaw(ctx: FaultContext, key: string, value: string): Promise<void> {
  const { brokers, prefix } = ctx.stack.world;
  const bus = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'kanal-fault-suite',
  });
  await bus.start();
  try {
    // Same key, same partitioner as connector-api: the poison sits on the partition of the messages behind it.
    await bus.publishRaw(`${prefix}${TOPICS.inbound}`, [{ key, value }]);
  } finally {
    await bus.stop();
  }
}

/** `kanal_dlq_truncated_total` + `kanal_parked_records_total` on a service's /metrics. */
async function alertCount(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => /^kanal_(dlq_truncated|parked_records)_total\{/.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

export const poisonFault: Fault = {
  id: 'poison',
  title: "poison record larger than the broker's limit",
  async run(ctx) {
    const conversationRef = `poison-${ctx.phase}`;
    const poison = poisonRecord(conversationRef);
    const unifierPort = ctx.stack.services.unifier.port;
    const alertsBefore = await alertCount(unifierPort);
    const landed = Date.now();
    await publishRaw(ctx, poison.key, poison.value);
    // Behind it on the same partition: a visitor of its own (not one of the phase's streamed
    // customers, whose conversations the table counts), through connector-api.
    const base = `http://127.0.0.1:${ctx.stack.services['connector-api'].port}`;
    const behind = Array.from({ length: BEHIND }, () => {
      const m = apiMessage(base, TOKEN, ctx.phase, 999);
      const body = { ...JSON.parse(m.body), conversationRef };
      return { ...m, body: JSON.stringify(body) };
    });
    for (const m of behind) {
      const res = await fetch(m.url, { method: 'POST', headers: m.headers, body: m.body });
      if (res.status !== 202) throw new Error(`connector-api answered ${res.status} for a message behind the poison`);
    }
    // Unified is not enough: a partition whose dead letter cannot be published re-handles the same
    // batch forever (idempotently, so the rows exist). Its committed offset must pass the messages.
    const { world } = ctx.stack;
    const env = topicEnvSchema.parse({ KAFKA_BROKERS: world.brokers, KAFKA_TOPIC_PREFIX: world.prefix });
    const inbound = `${world.prefix}${TOPICS.inbound}`;
    const ends = new Map((await groupProgress(env, world.unifierGroup, inbound)).map((p) => [p.partition, p.high]));
    await waitFor(
      async () =>
        (await ctx.probes.messageRows(behind.map((m) => m.key))).size === BEHIND &&
        (await groupProgress(env, world.unifierGroup, inbound)).every((p) => p.committed >= ends.get(p.partition)!),
      {
        timeoutMs: Math.max(0, landed + WITHIN_MS - Date.now()),
        intervalMs: 100,
        what: `the ${BEHIND} messages behind the poison unified and committed within ${WITHIN_MS / 1000} s`,
      },
    );
    const unifiedAfter = Date.now() - landed;
    const restoredAt = Date.now();

    const letters = await waitFor(
      async () => {
        const dlq = await readTopic(ctx.stack.world.brokers, ctx.stack.world.prefix, TOPICS.dlq);
        const mine = dlq.filter((e) => (e.data as { key?: string }).key === poison.key);
        return mine.length > 0 ? mine : undefined;
      },
      { timeoutMs: 30_000, what: 'the poison dead-lettered' },
    );
    const letter = letters[0]!.data as { truncated?: boolean; size?: number; code: string };
    if (!letter.truncated || letter.size !== Buffer.byteLength(poison.value)) {
      throw new Error(
        `the poison's dead letter is not a truncated copy of it (${JSON.stringify({ ...letter, value: undefined })})`,
      );
    }
    await waitFor(async () => (await alertCount(unifierPort)) > alertsBefore, {
      timeoutMs: 10_000,
      what: 'kanal_dlq_truncated_total or kanal_parked_records_total to rise on the unifier',
    });
    return {
      restoredAt,
      expectedDeadLetterKeys: [poison.key],
      notes: [
        `${BEHIND} messages behind a ${(poison.value.length / 1e6).toFixed(2)} MB poison unified and committed ${(unifiedAfter / 1000).toFixed(1)} s after it landed`,
        `dead-lettered truncated (${letter.code}), alert metric fired`,
      ],
    };
  },
};
