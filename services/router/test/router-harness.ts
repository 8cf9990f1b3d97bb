import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseConfig } from '@kanal/config';
import { buildEvent, customerEventId, TOPICS, type Channel, type CloudEvent, type KanalEvent } from '@kanal/contracts';
import { createIsolatedTopics, KafkajsEventBus, kafkaEnvSchema, removeIsolatedTopics, type Subscription } from '@kanal/kafka';
import { createPool } from '@kanal/postgres';
import type { RunningService } from '@kanal/service';
import { startRouter } from '../src/app';
import { configSchema, DEFAULT_ROUTING_CONFIG } from '../src/config';

export const TOKEN = 'router-test-token-0123456789';
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';

/** The shipped default rules with test-sized SLA targets and surge threshold. */
export function testRoutingConfig(overrides: { sla?: Record<string, string>; surgeThreshold?: number } = {}): string {
  const cfg = parse(readFileSync(DEFAULT_ROUTING_CONFIG, 'utf8'));
  cfg.sla.firstResponse = { webchat: '3s', api: '3s', whatsapp: '1h', instagram: '1h', messenger: '1h', x: '1h', email: '24h', ...overrides.sla };
  cfg.surge = { window: '10m', threshold: overrides.surgeThreshold ?? 3 };
  const file = join(mkdtempSync(join(tmpdir(), 'router-cfg-')), 'routing.yaml');
  writeFileSync(file, stringify(cfg));
  return file;
}

/** An isolated world per test file: topic prefix, Postgres schema, routing config. */
export async function isolatedEnv(routingConfig = testRoutingConfig()) {
  const { prefix, tag: id } = await createIsolatedTopics(BROKERS);
  return {
    KAFKA_BROKERS: BROKERS,
    KAFKA_TOPIC_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_TOKENS: TOKEN,
    LOG_LEVEL: 'silent',
    ROUTER_CONFIG: routingConfig,
    ROUTER_DB_SCHEMA: `router_t${id}`,
    ROUTER_GROUP_ID: `router-${id}`,
    ROUTER_SLA_POLL_MS: '100',
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  } as Record<string, string>;
}

export async function startTestRouter(env: Record<string, string>, options: { now?: () => Date } = {}): Promise<RunningService> {
  return startRouter(parseConfig(configSchema, env), { handleSignals: false, ...options });
}

/** A clock the test moves by hand: SLA deadlines fall due when the test says so, not when the machine gets there. */
export function manualClock(start = Date.now()) {
  let ms = start;
  return {
    now: () => new Date(ms),
    /** Moves the clock to `at` (never backwards). */
    advanceTo: (at: number) => void (ms = Math.max(ms, at)),
  };
}

/** Publishes unified customer events and collects everything the router emits. */
export async function busProbe(env: Record<string, string>, groupId = `probe-${randomUUID()}`) {
  const bus = new KafkajsEventBus({ env: kafkaEnvSchema.parse(env), service: 'router-test' });
  await bus.start();
  const events: KanalEvent[] = [];
  /** performance.now() when each event arrived (the benchmark's latency clock). */
  const arrivals: number[] = [];
  const sub: Subscription = await bus.subscribe({
    groupId,
    topics: [TOPICS.routing],
    partitionsConcurrently: 3,
    handler: async (records) => {
      const now = performance.now();
      for (const r of records) {
        events.push(r.event as KanalEvent);
        arrivals.push(now);
      }
    },
  });
  return {
    events,
    arrivals,
    of: <T extends KanalEvent['type']>(type: T, conversationId?: string) =>
      events.filter(
        (e): e is Extract<KanalEvent, { type: T }> =>
          e.type === type && (!conversationId || (e.data as { conversationId?: string }).conversationId === conversationId),
      ),
    publish: (...list: CloudEvent[]) =>
      bus.publish(list.map((event) => ({ topic: TOPICS.customers, key: event.subject!, event }))),
    stop: async () => {
      await sub.stop();
      await bus.stop();
    },
  };
}

export interface MessageSpec {
  customerId: string;
  conversationId: string;
  channel?: Channel;
  text?: string;
  kind?: 'received' | 'sent' | 'status';
  at?: Date;
  attributes?: Record<string, string>;
  n?: number;
}

const PROVIDER: Record<Channel, string> = {
  whatsapp: 'whatsapp-cloud', instagram: 'meta-instagram', messenger: 'meta-messenger', email: 'imap', x: 'x-dm', webchat: 'http', api: 'http',
};

/** A `kanal.customer.message.v1` as the unifier publishes it. */
export function customerMessage(spec: MessageSpec): CloudEvent {
  const channel = spec.channel ?? 'whatsapp';
  const at = (spec.at ?? new Date()).toISOString();
  const kind = spec.kind ?? 'received';
  const externalId = `m-${spec.conversationId}-${spec.n ?? 0}-${kind}`;
  const phone = { type: 'phone' as const, value: '+905321234567' };
  const message = {
    channel, provider: PROVIDER[channel], accountId: 'acc-1', direction: kind === 'sent' ? 'outbound' : 'inbound', externalId,
    conversationRef: `ref-${spec.customerId}`, occurredAt: at, receivedAt: at,
    ...(kind === 'status'
      ? { target: { externalId: 'x' }, status: 'read' }
      : { sender: { identities: [phone] }, text: spec.text ?? 'merhaba', attachments: [] }),
  };
  return buildEvent({
    type: 'kanal.customer.message.v1',
    id: customerEventId('test', externalId),
    source: 'kanal/unifier',
    subject: spec.customerId,
    time: at,
    data: {
      kind,
      customer: { id: spec.customerId, displayName: 'Ayşe', identities: [phone], attributes: spec.attributes ?? {} },
      conversation: { id: spec.conversationId, openedAt: at, channels: [channel], messageCount: 1 },
      messageId: externalId,
      source: { eventId: externalId, type: 'kanal.message.received.v1' },
      message,
      recent: [{ externalId, channel, direction: 'inbound', text: (spec.text ?? 'merhaba').slice(0, 280), occurredAt: at }],
    } as never,
  });
}

export function api(port: number) {
  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items?: Array<Record<string, unknown>> } };
  };
  return {
    get: (path: string, token?: string | null) => call('GET', path, undefined, token),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
  };
}

/** A fresh id: a UUID, as the unifier's conversation and customer ids are (the router's HTTP refuses anything else). */
export const uid = () => randomUUID();

/** A test's schema and topics go again: the database and the broker are shared with the other suites. */
export async function cleanUp(env: Record<string, string>): Promise<void> {
  const pool = createPool(env.DATABASE_URL!, { service: 'router-test', max: 1 });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${env.ROUTER_DB_SCHEMA} CASCADE`);
  } finally {
    await pool.end();
  }
  await removeIsolatedTopics(env.KAFKA_BROKERS!, env.KAFKA_TOPIC_PREFIX!);
}
