import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { inboundKey, TOPICS, type CloudEvent } from '@kanal/contracts';
import {
  createIsolatedTopics,
  KafkajsEventBus,
  kafkaEnvSchema,
  removeIsolatedTopics,
  type BatchHandler,
} from '@kanal/kafka';
import { createPool, migrate, type Pool } from '@kanal/postgres';
import { MIGRATIONS_DIR } from '../src/app';
import { onInboundEvents } from '../src/handlers/on-inbound-events';
import { IdentityPolicy } from '../src/identity/identity-policy';
import { DATABASE_URL, id, inbound, outboundEcho } from './unifier-harness';

/**
 * Two unifier instances share one database and nothing else: a value instance A learns must block
 * on instance B from B's next batch on, although B had handled batches before (no cache to expire).
 */
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const schema = `unifier_x${randomUUID().slice(0, 8)}`;
let prefix: string;
const instances: Array<{ pool: Pool; bus: KafkajsEventBus; handle: BatchHandler }> = [];

beforeAll(async () => {
  ({ prefix } = await createIsolatedTopics(BROKERS));
  await migrate({ databaseUrl: DATABASE_URL, schema, dir: MIGRATIONS_DIR });
  for (let i = 0; i < 2; i++) {
    const pool = createPool(DATABASE_URL, { max: 2, service: `instance-${i}`, schema });
    const bus = new KafkajsEventBus({
      env: kafkaEnvSchema.parse({ KAFKA_BROKERS: BROKERS, KAFKA_TOPIC_PREFIX: prefix }),
      service: `instance-${i}`,
    });
    await bus.start();
    const ctx = {
      policy: new IdentityPolicy({ blocked: [], business: [], limits: {} }),
      idleHours: 72,
      defaultRegion: 'TR',
    };
    instances.push({ pool, bus, handle: onInboundEvents({ pool, bus, ctx }) });
  }
}, 60_000);

afterAll(async () => {
  for (const i of instances) await i.bus.stop();
  await instances[0]?.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  for (const i of instances) await i.pool.end();
  await removeIsolatedTopics(BROKERS, prefix);
}, 60_000);

let offset = 0;
/** A batch as the bus hands it to the handler. */
const batch = (...events: CloudEvent[]) =>
  events.map((event) => ({
    topic: TOPICS.inbound,
    partition: 0,
    offset: String(offset++),
    key: inboundKey(event.data as never),
    headers: {},
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    event,
  }));

it('blocks a business phone on instance B from the batch after instance A learned it', async () => {
  const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
  const shopPhone = id('phone', '+908502220000');
  // Before anyone knows it is the business's number, it links like any other.
  await b.handle(
    batch(
      inbound({ channel: 'email', provider: 'imap', from: { identities: [id('email', 'c1@example.com'), shopPhone] } }),
    ),
  );
  await a.handle(
    batch(
      outboundEcho({
        channel: 'whatsapp',
        provider: 'whatsapp-cloud',
        from: { identities: [shopPhone] },
        to: { identities: [id('phone', '+905321230000')] },
      }),
    ),
  );
  const later = inbound({
    channel: 'email',
    provider: 'imap',
    from: { identities: [id('email', 'c2@example.com'), shopPhone] },
  });
  await b.handle(batch(later));

  const owner = async (value: string) =>
    (await b.pool.query('SELECT customer_id FROM identities WHERE value = $1', [value])).rows[0]?.customer_id as string;
  const first = await owner('c1@example.com');
  const second = await owner('c2@example.com');
  expect(second).not.toBe(first);
  expect(await owner(shopPhone.value)).toBe(first);
  const { rows } = await b.pool.query(
    `SELECT customer_id, candidate_customer_id, reason, status, source_event_id FROM link_suggestions WHERE identity_value = $1`,
    [shopPhone.value],
  );
  expect(rows).toEqual([
    {
      customer_id: second,
      candidate_customer_id: first,
      reason: 'blocked-identity',
      status: 'open',
      source_event_id: later.id,
    },
  ]);
  const learned = await a.pool.query('SELECT channel, provider FROM learned_identities WHERE value = $1', [
    shopPhone.value,
  ]);
  expect(learned.rows).toEqual([{ channel: 'whatsapp', provider: 'whatsapp-cloud' }]);
});
