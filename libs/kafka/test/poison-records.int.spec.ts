import { createHash, randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import { Registry } from '@kanal/observability';
import { waitFor } from '@kanal/testing';
import {
  createIsolatedTopics,
  DependencyUnavailableError,
  DLQ_REPLAY_CODES,
  KafkajsEventBus,
  kafkaEnvSchema,
  NonRetriableError,
  removeIsolatedTopics,
  replayDlq,
  topicEnvSchema,
  type BusLogger,
  type IncomingRecord,
  type ParkedRecord,
  type ParkingLot,
} from '../src/index';
import { inboundEvent } from './test-events';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
const prefixes: string[] = [];
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
afterAll(async () => {
  for (const prefix of prefixes) await removeIsolatedTopics(brokers, prefix);
});

async function setup(
  env: Record<string, string> = {},
  options: { clock?: () => number; parkingLot?: ParkingLot } = {},
) {
  const { prefix } = await createIsolatedTopics(brokers, { partitions: 1, label: 'poison' });
  prefixes.push(prefix);
  const errors: Array<Record<string, unknown>> = [];
  const logger: BusLogger = {
    debug() {},
    info() {},
    warn() {},
    error: (obj, msg) => void errors.push({ ...obj, msg }),
  };
  const bus = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_HANDLER_MAX_ATTEMPTS: '2',
      ...env,
    }),
    service: 'poison-test',
    logger,
    ...options,
  });
  const registry = new Registry();
  bus.instrument(registry);
  await bus.start();
  cleanup.push(() => bus.stop());
  return { prefix, bus, registry, errors };
}

/** A valid event whose fullText is half a million quotes: ~1 MB as a record, ~2 MB dead-lettered whole. */
function hugeEvent(run: ReturnType<typeof randomUUID>): CloudEvent {
  const event = inboundEvent(0, run);
  return { ...event, data: { ...(event.data as object), fullText: '"'.repeat(480_000) } };
}

function collect(bus: KafkajsEventBus, topic: string) {
  const seen: IncomingRecord[] = [];
  void bus.subscribe({ groupId: `c-${randomUUID()}`, topics: [topic], handler: async (r) => void seen.push(...r) });
  return seen;
}

describe('a poison record never stalls its partition', () => {
  it('dead-letters a huge failing record truncated, moves on, and replays the original from the source', async () => {
    const { prefix, bus, registry } = await setup();
    const run = randomUUID();
    const poison = hugeEvent(run);
    const behind = inboundEvent(1, run);
    await bus.publish([poison, behind].map((event) => ({ topic: TOPICS.inbound, key: 'same', event })));
    const handled: string[] = [];
    let poisonAttempts = 0;
    const consumer = await bus.subscribe({
      groupId: `g-${run}`,
      topics: [TOPICS.inbound],
      handler: async (records) => {
        if (records.some((r) => r.event.id === poison.id)) {
          poisonAttempts++;
          throw new Error('cannot handle this one');
        }
        handled.push(...records.map((r) => r.event.id));
      },
    });
    const dlq = collect(bus, TOPICS.dlq);
    await waitFor(() => handled.includes(behind.id) && dlq.length >= 1, {
      timeoutMs: 30_000,
      what: () => `the record behind the poison handled (${handled.length}) and a dead letter (${dlq.length})`,
    });
    const letter = dlq[0]!.event.data as {
      truncated?: boolean;
      sha256?: string;
      size?: number;
      value: string;
      offset: string;
    };
    const original = Buffer.from(JSON.stringify(poison));
    expect(letter).toMatchObject({ truncated: true, size: original.length, offset: '0' });
    expect(letter.sha256).toBe(createHash('sha256').update(original).digest('hex'));
    expect(original.toString('utf8').startsWith(letter.value)).toBe(true);
    expect(poisonAttempts).toBeGreaterThanOrEqual(2);
    // The counter moves when the broker acknowledges the letter, which can be a moment after a
    // consumer already reads it: polled.
    const truncatedCount = /kanal_dlq_truncated_total\{[^}]*code="HANDLER.RETRIES_EXHAUSTED"[^}]*\} (\d+)/;
    // At-least-once: a rebalance may letter the poison twice; the counter must match the letters.
    let counted = 0;
    await waitFor(
      async () => (counted = Number(truncatedCount.exec(await registry.metrics())?.[1] ?? 0)) === dlq.length,
      {
        what: () => `kanal_dlq_truncated_total (${counted}) to count the ${dlq.length} truncated letter(s)`,
      },
    );

    // Replay re-reads the whole original from its source partition, byte for byte (the failing
    // consumer is gone, so the replayed copy is not dead-lettered again).
    await consumer.stop();
    const replayed = collect(bus, TOPICS.inbound);
    const env = topicEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix });
    const outcomes = await replayDlq(env);
    expect(outcomes.map((o) => o.result)).toEqual(['replayed']);
    await waitFor(() => replayed.filter((r) => r.event.id === poison.id).length >= 2, {
      what: 'the replayed original',
    });
    const copies = replayed.filter((r) => r.event.id === poison.id);
    const [first, again] = [copies[0]!, copies[copies.length - 1]!];
    expect(again.headers['kanal_replay_of']).toBe(dlq[0]!.event.id);
    // Compared as one boolean: a failure must not print two megabytes of quotes.
    expect(JSON.stringify(again.event) === JSON.stringify(first.event)).toBe(true);

    // Once retention removed the original, the letter is reported, not replayed.
    const admin = kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [`${prefix}${TOPICS.inbound}`] });
    await admin.deleteTopicRecords({
      topic: `${prefix}${TOPICS.inbound}`,
      partitions: [{ partition: 0, offset: '1' }],
    });
    await admin.disconnect();
    const later = await replayDlq(env);
    expect(later.map((o) => o.result === 'skipped' && o.code)).toEqual([DLQ_REPLAY_CODES.sourceGone]);
  }, 90_000);

  it('parks a record the DLQ refuses for good, alerts, and moves on', async () => {
    // The bus's side of parking; the Postgres adapter has its own test in libs/postgres.
    const parked: ParkedRecord[] = [];
    const parkingLot: ParkingLot = { park: async (record) => void parked.push(record) };
    const { prefix, bus, registry, errors } = await setup({}, { parkingLot });
    // The DLQ takes nothing over 2 KB: every dead letter here is refused with MESSAGE_TOO_LARGE.
    const admin = kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: 2, name: `${prefix}${TOPICS.dlq}`, configEntries: [{ name: 'max.message.bytes', value: '2048' }] },
      ],
    });
    await admin.disconnect();
    const run = randomUUID();
    const poison = {
      ...inboundEvent(0, run),
      data: { ...(inboundEvent(0, run).data as object), text: 'x'.repeat(5_000) },
    };
    const behind = inboundEvent(1, run);
    await bus.publish([poison, behind].map((event) => ({ topic: TOPICS.inbound, key: 'same', event })));
    const handled: string[] = [];
    await bus.subscribe({
      groupId: `g-${run}`,
      topics: [TOPICS.inbound],
      handler: async (records) => {
        if (records.some((r) => r.event.id === poison.id)) throw new NonRetriableError('TEST.POISON', 'poison');
        handled.push(...records.map((r) => r.event.id));
      },
    });
    await waitFor(() => handled.includes(behind.id), { timeoutMs: 30_000, what: 'the record behind the poison' });
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({
      consumerGroup: `g-${run}`,
      topic: `${prefix}${TOPICS.inbound}`,
      partition: 0,
      offset: '0',
      code: 'TEST.POISON',
      deadLetterCode: 'BUS.RECORD_TOO_LARGE',
    });
    expect(parked[0]!.value!.equals(Buffer.from(JSON.stringify(poison)))).toBe(true);
    expect(parked[0]!.key!.toString()).toBe('same');
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/kanal_parked_records_total\{[^}]*code="TEST.POISON"[^}]*\} 1/);
    expect(errors).toContainEqual(
      expect.objectContaining({ topic: `${prefix}${TOPICS.inbound}`, partition: 0, offset: '0', code: 'TEST.POISON' }),
    );
    // No PII in the alert: only coordinates and codes.
    expect(JSON.stringify(errors)).not.toContain('xxxxxxxx');
  }, 60_000);

  it('shows a partition with lag and no progress as stuck (gauge and health), and clears it on progress', async () => {
    let now = 1_000_000;
    const { bus, registry } = await setup({ KAFKA_STUCK_AFTER_MS: '60000' }, { clock: () => now });
    const run = randomUUID();
    let down = true;
    let attempts = 0;
    const handled: string[] = [];
    await bus.subscribe({
      groupId: `g-${run}`,
      topics: [TOPICS.inbound],
      handler: async (records) => {
        attempts++;
        // A dependency outage retries without limit: the partition cannot move.
        if (down) throw new DependencyUnavailableError('TEST.DOWN', 'down');
        handled.push(...records.map((r) => r.event.id));
      },
    });
    await bus.publish([1, 2, 3].map((n) => ({ topic: TOPICS.inbound, key: 'k', event: inboundEvent(n, run) })));
    await waitFor(() => attempts >= 1, { what: 'the first attempt' });
    expect((await bus.health()).stuck).toEqual([]);
    now += 60_000;
    const health = await bus.health();
    expect(health.ok).toBe(false);
    expect(health.stuck).toEqual([
      expect.objectContaining({ groupId: `g-${run}`, partition: 0, lag: 3, stalledMs: 60_000 }),
    ]);
    expect(await registry.metrics()).toMatch(/kanal_consumer_stuck\{[^}]*partition="0"[^}]*\} 1/);
    down = false;
    await waitFor(() => handled.length === 3, { timeoutMs: 30_000, what: 'the records once the dependency is back' });
    await waitFor(async () => (await bus.health()).stuck.length === 0, { what: 'the stall to clear' });
    expect(await registry.metrics()).toMatch(/kanal_consumer_stuck\{[^}]*partition="0"[^}]*\} 0/);
  }, 60_000);
});
