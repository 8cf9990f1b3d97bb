import { randomUUID } from 'node:crypto';
import { parseConfig } from '@kanal/config';
import { buildEvent, inboundKey, TOPICS, type CloudEvent, type Identity } from '@kanal/contracts';
import { createIsolatedTopics, KafkajsEventBus, kafkaEnvSchema, removeIsolatedTopics } from '@kanal/kafka';
import { createPool, type Pool } from '@kanal/postgres';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { startUnifier } from '../src/app';
import { configSchema } from '../src/config';

export const TOKEN = 'unifier-test-token-0123456789';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';

export type Party = { displayName?: string; identities: Identity[] };

/**
 * A unifier in-process on topics and a Postgres schema of its own, a reader of everything it
 * publishes (customers and DLQ topics) and an HTTP client; `stop()` leaves no schema or topic behind.
 */
export async function startTestUnifier(extraEnv: Record<string, string> = {}) {
  const { prefix, tag } = await createIsolatedTopics(BROKERS);
  const schema = `unifier_t${tag}`;
  const env = {
    KAFKA_BROKERS: BROKERS,
    KAFKA_TOPIC_PREFIX: prefix,
    UNIFIER_SCHEMA: schema,
    UNIFIER_GROUP_ID: `unifier-${tag}`,
    DATABASE_URL,
    AUTH_TOKENS: TOKEN,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  const unifier: RunningService = await startUnifier(parseConfig(configSchema, env), { handleSignals: false });
  const bus = new KafkajsEventBus({ env: kafkaEnvSchema.parse(env), service: 'unifier-test' });
  await bus.start();
  const customers: CloudEvent[] = [];
  const dlq: CloudEvent[] = [];
  const subs = [
    await bus.subscribe({
      groupId: `c-${tag}`,
      topics: [TOPICS.customers],
      handler: async (r) => void customers.push(...r.map((x) => x.event)),
    }),
    await bus.subscribe({
      groupId: `d-${tag}`,
      topics: [TOPICS.dlq],
      handler: async (r) => void dlq.push(...r.map((x) => x.event)),
    }),
  ];
  const pool: Pool = createPool(DATABASE_URL, { max: 2, service: 'unifier-test', schema });

  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const res = await fetch(`http://127.0.0.1:${unifier.port}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  return {
    schema,
    pool,
    customers,
    dlq,
    get: (path: string, token?: string | null) => call('GET', path, undefined, token),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    /** Publishes inbound events as a connector does (key `channel:accountId:conversationRef`). */
    async publish(...events: CloudEvent[]) {
      await bus.publish(
        events.map((event) => ({ topic: TOPICS.inbound, key: inboundKey(event.data as never), event })),
      );
    },
    /** The unified event of an inbound event, once the unifier published it. */
    unified(eventId: string) {
      return waitFor(
        () =>
          customers.find(
            (e) =>
              e.type === 'kanal.customer.message.v1' &&
              (e.data as { source: { eventId: string } }).source.eventId === eventId,
          ) as
            | (CloudEvent & {
                data: { customer: { id: string; identities: Identity[]; attributes: Record<string, string> } };
              })
            | undefined,
        { what: `the unified event of ${eventId}`, timeoutMs: 30_000 },
      );
    },
    of: (type: string) => customers.filter((e) => e.type === type),
    async stop() {
      for (const s of subs) await s.stop();
      await bus.stop();
      await unifier.shutdown('test done');
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
      await removeIsolatedTopics(BROKERS, prefix);
    },
  };
}

let n = 0;
const t0 = Date.parse('2026-11-20T09:00:00Z');

/** A customer message as a connector publishes it; `to` is the business side (the recipient). */
export function inbound(fields: {
  channel?: string;
  provider?: string;
  accountId?: string;
  from: Party;
  to?: Party;
  text?: string;
  conversationRef?: string;
}) {
  n++;
  const at = new Date(t0 + n * 60_000).toISOString();
  const channel = fields.channel ?? 'whatsapp';
  return buildEvent({
    type: 'kanal.message.received.v1',
    id: randomUUID(),
    source: 'kanal/test',
    subject: `${channel}:${fields.accountId ?? 'acc-1'}`,
    time: at,
    data: {
      channel,
      provider: fields.provider ?? 'whatsapp-cloud',
      accountId: fields.accountId ?? 'acc-1',
      direction: 'inbound',
      externalId: `in-${randomUUID()}`,
      conversationRef: fields.conversationRef ?? `c-${fields.from.identities[0]?.value ?? randomUUID()}`,
      sender: fields.from,
      ...(fields.to ? { recipient: fields.to } : {}),
      text: fields.text ?? 'Merhaba',
      attachments: [],
      occurredAt: at,
      receivedAt: at,
    } as never,
  });
}

/** The business's reply echoed back by a connector: the business is the sender. */
export function outboundEcho(fields: {
  channel?: string;
  provider?: string;
  accountId?: string;
  from: Party;
  to: Party;
}) {
  n++;
  const at = new Date(t0 + n * 60_000).toISOString();
  const channel = fields.channel ?? 'email';
  return buildEvent({
    type: 'kanal.message.sent.v1',
    id: randomUUID(),
    source: 'kanal/test',
    subject: `${channel}:${fields.accountId ?? 'acc-1'}`,
    time: at,
    data: {
      channel,
      provider: fields.provider ?? 'imap',
      accountId: fields.accountId ?? 'acc-1',
      direction: 'outbound',
      externalId: `out-${randomUUID()}`,
      conversationRef: `c-${fields.to.identities[0]!.value}`,
      sender: fields.from,
      recipient: fields.to,
      text: 'Yanıtımız',
      attachments: [],
      occurredAt: at,
      receivedAt: at,
    } as never,
  });
}

export const id = (type: Identity['type'], value: string): Identity => ({ type, value });
