import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { TOPICS } from '@kanal/contracts';
import { waitFor } from '@kanal/testing';
import {
  DependencyUnavailableError,
  NonRetriableError,
  type EventBus,
  type IncomingRecord,
  type Subscription,
} from '../src/index';
import { inboundEvent } from './test-events';

/**
 * Behaviour every event-bus adapter must show against a real broker. Each test works under its
 * own topic prefix so suites can run side by side on one broker.
 */
export interface BusHarness {
  /** A started bus whose topics (contract topics under `prefix`) exist. */
  bus(prefix: string, options?: { maxAttempts?: number }): Promise<EventBus>;
  createTopics(prefix: string): Promise<void>;
  publishRaw(topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<void>;
}

export function eventBusContract(name: string, harness: () => BusHarness): void {
  describe(`${name} (event-bus contract)`, () => {
    const cleanup: Array<() => Promise<void>> = [];
    afterEach(async () => {
      while (cleanup.length) await cleanup.pop()!();
    });

    async function setup(options?: { maxAttempts?: number }) {
      const prefix = `t${randomUUID().slice(0, 8)}.`;
      await harness().createTopics(prefix);
      const bus = await harness().bus(prefix, options);
      cleanup.push(() => bus.stop());
      return { prefix, bus };
    }

    function collect(bus: EventBus, group = `g-${randomUUID()}`, topic: string = TOPICS.inbound) {
      const seen: IncomingRecord[] = [];
      const sub = bus.subscribe({
        groupId: group,
        topics: [topic],
        handler: async (records) => void seen.push(...records),
      });
      return { seen, sub };
    }

    it('delivers every event with per-key order kept', async () => {
      const { bus } = await setup();
      const run = randomUUID();
      const events = Array.from({ length: 300 }, (_, i) => inboundEvent(i, run));
      await bus.publish(
        events.map((e) => ({
          topic: TOPICS.inbound,
          key: `k${(e.data as { conversationRef: string }).conversationRef}`,
          event: e,
        })),
      );
      const { seen } = collect(bus);
      await waitFor(() => seen.length >= 300, { what: '300 records' });
      expect(new Set(seen.map((r) => r.event.id)).size).toBe(300);
      const byKey = new Map<string, number[]>();
      for (const r of seen) byKey.set(r.key!, [...(byKey.get(r.key!) ?? []), Number(r.event.id.split('-').pop())]);
      for (const order of byKey.values()) expect(order).toEqual([...order].sort((a, b) => a - b));
    });

    it('publishes and consumes 10,000 events through the broker', async () => {
      const { bus } = await setup();
      const run = randomUUID();
      const { seen } = collect(bus);
      const chunks = Array.from({ length: 20 }, (_, c) =>
        Array.from({ length: 500 }, (_, i) => inboundEvent(c * 500 + i, run)),
      );
      await Promise.all(
        chunks.map((chunk) => bus.publish(chunk.map((e) => ({ topic: TOPICS.inbound, key: e.subject!, event: e })))),
      );
      await waitFor(() => new Set(seen.map((r) => r.event.id)).size >= 10_000, { timeoutMs: 60_000, what: '10k' });
      expect(new Set(seen.map((r) => r.event.id)).size).toBe(10_000);
    });

    it('dead-letters undecodable and schema-invalid records with a code and keeps going', async () => {
      const { prefix, bus } = await setup();
      const run = randomUUID();
      const bad = { ...inboundEvent(1, run), data: { channel: 'pigeon' } };
      await harness().publishRaw(`${prefix}${TOPICS.inbound}`, [
        { key: 'a', value: Buffer.from('{not json') },
        { key: 'b', value: Buffer.from(JSON.stringify(bad)) },
        { key: 'c', value: Buffer.from(JSON.stringify(inboundEvent(2, run))) },
      ]);
      const { seen } = collect(bus);
      const dlq = collect(bus, `dlq-${randomUUID()}`, TOPICS.dlq);
      // At-least-once: a redelivery after a rebalance may repeat a record, so count distinct ones.
      await waitFor(() => seen.length >= 1 && new Set(dlq.seen.map((r) => r.key)).size >= 2, {
        timeoutMs: 30_000,
        what: () => `valid record and two dead letters (have ${seen.length} and ${dlq.seen.length})`,
      });
      expect(new Set(seen.map((r) => r.event.id))).toEqual(new Set([`${run}-2`]));
      const letters = dlq.seen.map((r) => r.event.data as { code: string; key: string; value: string });
      // Keys a and b may sit on different partitions, so the two letters come in either order.
      const byKey = Object.fromEntries(letters.map((l) => [l.key, l]));
      expect(byKey['a']).toMatchObject({ code: 'EVENT.UNDECODABLE', value: '{not json' });
      expect(byKey['b']).toMatchObject({ code: 'EVENT.INVALID_DATA' });
    });

    it('retries a failing handler and commits only after it resolves', async () => {
      const { bus } = await setup();
      const run = randomUUID();
      await bus.publish([{ topic: TOPICS.inbound, key: 'k', event: inboundEvent(1, run) }]);
      let calls = 0;
      await bus.subscribe({
        groupId: `g-${run}`,
        topics: [TOPICS.inbound],
        handler: async () => {
          calls++;
          if (calls < 3) throw new Error('transient');
        },
      });
      await waitFor(() => calls === 3, { what: 'third attempt' });
      const dlq = collect(bus, `dlq-${run}`, TOPICS.dlq);
      await dlq.sub;
      expect(dlq.seen).toHaveLength(0);
    });

    it('dead-letters only the poison record of a batch', async () => {
      const { bus } = await setup({ maxAttempts: 2 });
      const run = randomUUID();
      const events = Array.from({ length: 5 }, (_, i) => inboundEvent(i, run));
      await bus.publish(events.map((e) => ({ topic: TOPICS.inbound, key: 'same', event: e })));
      const handled = new Set<string>();
      await bus.subscribe({
        groupId: `g-${run}`,
        topics: [TOPICS.inbound],
        handler: async (records) => {
          if (records.some((r) => r.event.id === `${run}-3`)) throw new NonRetriableError('TEST.POISON', 'poison');
          for (const r of records) handled.add(r.event.id);
        },
      });
      const dlq = collect(bus, `dlq-${run}`, TOPICS.dlq);
      await waitFor(() => handled.size === 4 && dlq.seen.length === 1, { what: 'four handled, one dead letter' });
      expect(dlq.seen[0]!.event.data).toMatchObject({ code: 'TEST.POISON' });
      expect(handled.has(`${run}-3`)).toBe(false);
    });

    it('leaves unfinished work uncommitted so the next member gets it again', async () => {
      const { bus } = await setup();
      const run = randomUUID();
      const group = `g-${run}`;
      await bus.publish([{ topic: TOPICS.inbound, key: 'k', event: inboundEvent(1, run) }]);
      let attempts = 0;
      const first: Subscription = await bus.subscribe({
        groupId: group,
        topics: [TOPICS.inbound],
        handler: async () => {
          attempts++;
          throw new DependencyUnavailableError('TEST.DB_DOWN', 'database down');
        },
      });
      await waitFor(() => attempts >= 1, { what: 'first attempt' });
      await first.stop();
      const again: IncomingRecord[] = [];
      await bus.subscribe({ groupId: group, topics: [TOPICS.inbound], handler: async (r) => void again.push(...r) });
      await waitFor(() => again.length === 1, { what: 'redelivery' });
      expect(again[0]!.event.id).toBe(`${run}-1`);
    });

    it('joinPartitions: one call for a fetch of several partitions, per-key order kept, every partition committed', async () => {
      const { bus } = await setup();
      const run = randomUUID();
      const group = `g-${run}`;
      const events = Array.from({ length: 600 }, (_, i) => inboundEvent(i, run));
      await bus.publish(events.map((e, i) => ({ topic: TOPICS.inbound, key: `k${i % 30}`, event: e })));
      const calls: IncomingRecord[][] = [];
      const first = await bus.subscribe({
        groupId: group,
        topics: [TOPICS.inbound],
        partitionsConcurrently: 3,
        joinPartitions: true,
        handler: async (records) => void calls.push(records),
      });
      const seen = () => new Set(calls.flat().map((r) => r.event.id));
      await waitFor(() => seen().size >= 600, { what: () => `600 records (have ${seen().size})` });
      // Published before the member joined, so its first fetch brings every partition at once.
      expect(Math.max(...calls.map((c) => new Set(c.map((r) => r.partition)).size))).toBeGreaterThan(1);
      const byKey = new Map<string, number[]>();
      for (const r of calls.flat())
        byKey.set(r.key!, [...(byKey.get(r.key!) ?? []), Number(r.event.id.split('-').pop())]);
      for (const order of byKey.values()) expect(order).toEqual([...order].sort((a, b) => a - b));
      await first.stop();
      // Committed jointly: a new member of the group starts after the 600, at the next event.
      const again: IncomingRecord[] = [];
      await bus.subscribe({ groupId: group, topics: [TOPICS.inbound], handler: async (r) => void again.push(...r) });
      await bus.publish([{ topic: TOPICS.inbound, key: 'k0', event: inboundEvent(600, run) }]);
      await waitFor(() => again.length >= 1, { what: 'the event after the 600' });
      expect(again.map((r) => r.event.id)).toEqual([`${run}-600`]);
    });

    it('joinPartitions: a failed joint call falls back to per-partition retries, so only the poison is dead-lettered', async () => {
      const { bus } = await setup({ maxAttempts: 2 });
      const run = randomUUID();
      const events = Array.from({ length: 30 }, (_, i) => inboundEvent(i, run));
      await bus.publish(events.map((e, i) => ({ topic: TOPICS.inbound, key: `k${i % 10}`, event: e })));
      const handled = new Set<string>();
      let jointFailures = 0;
      await bus.subscribe({
        groupId: `g-${run}`,
        topics: [TOPICS.inbound],
        partitionsConcurrently: 3,
        joinPartitions: true,
        handler: async (records) => {
          if (records.some((r) => r.event.id === `${run}-7`)) {
            if (new Set(records.map((r) => r.partition)).size > 1) jointFailures++;
            throw new Error('poison');
          }
          for (const r of records) handled.add(r.event.id);
        },
      });
      const dlq = collect(bus, `dlq-${run}`, TOPICS.dlq);
      await waitFor(() => handled.size === 29 && dlq.seen.length >= 1, {
        timeoutMs: 30_000,
        what: () => `29 handled (have ${handled.size}), one dead letter (have ${dlq.seen.length})`,
      });
      expect(jointFailures).toBeGreaterThan(0);
      expect(handled.has(`${run}-7`)).toBe(false);
      expect(new Set(dlq.seen.map((r) => (r.event.data as { value: string }).value.includes(`${run}-7`)))).toEqual(
        new Set([true]),
      );
    });

    it('carries the trace context from a consumed record to what its handler publishes', async () => {
      const { bus } = await setup();
      const run = randomUUID();
      const traceId = randomUUID().replaceAll('-', '');
      const traceparent = `00-${traceId}-0123456789abcdef-01`;
      await bus.publish([{ topic: TOPICS.inbound, key: 'k', event: inboundEvent(1, run), headers: { traceparent } }]);
      await bus.subscribe({
        groupId: `g-${run}`,
        topics: [TOPICS.inbound],
        handler: async (records) => {
          await bus.publish(
            records.map((r) => ({ topic: TOPICS.routing, key: 'k', event: { ...r.event, id: `${r.event.id}-out` } })),
          );
        },
      });
      const out = collect(bus, `out-${run}`, TOPICS.routing);
      await waitFor(() => out.seen.length === 1, { what: 'downstream record' });
      expect(out.seen[0]!.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(out.seen[0]!.traceparent).not.toBe(traceparent);
      expect(out.seen[0]!.headers['ce_type']).toBe('kanal.message.received.v1');
    });
  });
}
