import { randomUUID } from 'node:crypto';
import { buildInboundEvent, TOPICS, type CloudEvent } from '@kanal/contracts';
import { createTopics, KafkajsEventBus, kafkaEnvSchema, topicEnvSchema } from '@kanal/kafka';
import { percentile, waitFor } from '@kanal/testing';

export interface RawHopResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** One hop at 100 events/s: publish call → handler. */
  latencyMs: { p50: number; p99: number };
}

/** An inbound message event of the size connector-api publishes (same text, one identity). */
function rawEvent(i: number, run: string): CloudEvent {
  const now = new Date().toISOString();
  return buildInboundEvent(
    'kanal.message.received.v1',
    {
      channel: 'api',
      provider: 'http',
      accountId: 'bench',
      direction: 'inbound',
      externalId: `raw-${run}-${i}`,
      conversationRef: `raw-${i % 1_000}`,
      sender: { identities: [{ type: 'external', value: `shop:${run}-${i}` }] },
      text: 'Merhaba, siparişim 3 gündür kargoda görünüyor, ne zaman gelir?',
      attachments: [],
      occurredAt: now,
      receivedAt: now,
    },
    { source: 'kanal/bench' },
  );
}

/**
 * The broker's ceiling for one hop, through the same KafkajsEventBus the services use: N events
 * published (acks=-1, in concurrent batches of 500 as bench:bus does) while a consumer group that
 * already owns its partitions reads them, timed from the first publish to the last event consumed.
 * Then the latency of one hop at a low paced rate (publish call → handler), the floor under every
 * stage's latency in the pipeline table. Runs on its own topics (`<prefix>raw.`), never the
 * pipeline's, so the unifier does not see them.
 */
export async function rawHop(brokers: string, prefix: string, n: number): Promise<RawHopResult> {
  const base = { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: `${prefix}raw.` };
  await createTopics(topicEnvSchema.parse({ ...base, KAFKA_TOPIC_PARTITIONS: '6' }));
  const bus = new KafkajsEventBus({ env: kafkaEnvSchema.parse(base), service: 'bench-raw-hop' });
  await bus.start();
  try {
    const hop = new Hop(bus);
    await hop.join(prefix);
    const throughput = await hop.throughput(n);
    return { ...throughput, latencyMs: await hop.pacedLatency(100, 5) };
  } finally {
    await bus.stop();
  }
}

/** Publishes events and notes when each one is consumed. */
class Hop {
  private readonly run = randomUUID().slice(0, 8);
  private readonly sentAt = new Map<string, number>();
  private readonly consumedAt = new Map<string, number>();
  private count = 0;

  constructor(private readonly bus: KafkajsEventBus) {}

  /** A first event consumed means the group has joined: the timed runs exclude the rebalance. */
  async join(prefix: string): Promise<void> {
    await this.bus.subscribe({
      groupId: `${prefix}raw-hop`,
      topics: [TOPICS.inbound],
      partitionsConcurrently: 6,
      handler: async (records) => {
        const now = performance.now();
        for (const r of records) if (this.sentAt.has(r.event.id)) this.consumedAt.set(r.event.id, now);
      },
    });
    await this.waitConsumed(await this.publish(1), 'raw-hop consumer group joined');
  }

  async throughput(n: number): Promise<Omit<RawHopResult, 'latencyMs'>> {
    const events = this.events(n);
    const t0 = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < n; i += 500) inFlight.push(this.send(events.slice(i, i + 500)));
    await Promise.all(inFlight);
    await this.waitConsumed(events, 'raw hop throughput');
    const seconds = (Math.max(...events.map((e) => this.consumedAt.get(e.id)!)) - t0) / 1000;
    return { events: n, seconds: +seconds.toFixed(2), eventsPerSecond: Math.round(n / seconds) };
  }

  async pacedLatency(rate: number, seconds: number): Promise<{ p50: number; p99: number }> {
    const events = this.events(rate * seconds);
    const inFlight: Promise<void>[] = [];
    const t0 = performance.now();
    for (const [i, e] of events.entries()) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(this.send([e]));
    }
    await Promise.all(inFlight);
    await this.waitConsumed(events, 'raw hop latency');
    const latencies = events.map((e) => this.consumedAt.get(e.id)! - this.sentAt.get(e.id)!).sort((a, b) => a - b);
    return { p50: +percentile(latencies, 50).toFixed(1), p99: +percentile(latencies, 99).toFixed(1) };
  }

  private events(n: number): CloudEvent[] {
    return Array.from({ length: n }, () => rawEvent(this.count++, this.run));
  }

  private send(events: CloudEvent[]): Promise<void> {
    const now = performance.now();
    for (const e of events) this.sentAt.set(e.id, now);
    return this.bus.publish(events.map((event) => ({ topic: TOPICS.inbound, key: event.subject!, event })));
  }

  private async publish(n: number): Promise<CloudEvent[]> {
    const events = this.events(n);
    await this.send(events);
    return events;
  }

  private async waitConsumed(events: CloudEvent[], what: string): Promise<void> {
    let cursor = 0;
    await waitFor(
      () => {
        while (cursor < events.length && this.consumedAt.has(events[cursor]!.id)) cursor++;
        return cursor === events.length;
      },
      { timeoutMs: 120_000, intervalMs: 20, what: () => `${what}: ${cursor}/${events.length} consumed` },
    );
  }
}
