// Soak: N synthetic `messages.upsert` events emitted by fake Baileys sockets into the real session
// layer (lease, Postgres auth state, ordered chain with coalescing), mapper, dedup store (Postgres)
// and event bus (Kafka, acks=all). Reports msgs/s, upsert→published latency and RSS.
// Run: node --import tsx services/connector-whatsapp/bench/soak-bench.ts
// Env: SOAK_UPSERTS (50000), SOAK_SESSIONS (8), SOAK_BATCH messages per upsert (1),
// SOAK_WINDOW max unhandled messages per session (2000), KAFKA_BROKERS, DATABASE_URL.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createTopics, kafkaEnvSchema, KafkajsEventBus, topicEnvSchema } from '@kanal/kafka';
import { createLogger, createMetrics } from '@kanal/observability';
import { createPool, migrate } from '@kanal/postgres';
import { percentile } from '@kanal/testing';
import { createIngest, type Ingest } from '../src/ingest/ingest-events';
import { PgPublishedStore } from '../src/ingest/pg-published-store';
import type { RawUpsert, RawWaMessage } from '../src/mapping/raw-message';
import { loadPgAuthState } from '../src/session/pg-auth-state';
import { PgSessionLease } from '../src/session/pg-session-lease';
import { PgSessionRepo } from '../src/session/pg-session-repo';
import { WhatsappSession } from '../src/session/whatsapp-session';
import { createWhatsappMetrics } from '../src/whatsapp-metrics';
import { FakeBaileys } from '../test/fake-baileys';

const UPSERTS = Number(process.env.SOAK_UPSERTS ?? 50_000);
const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 8);
const BATCH = Number(process.env.SOAK_BATCH ?? 1);
const WINDOW = Number(process.env.SOAK_WINDOW ?? 2_000);
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A mix like real traffic: texts, replies from LIDs with a PN alt, captioned media, reactions, a few stubs. */
function synthetic(n: number): RawWaMessage {
  const pn = `90532${String(1_000_000 + (n % 500_000)).padStart(7, '0')}@s.whatsapp.net`;
  const key = { remoteJid: pn, fromMe: n % 20 === 0, id: `SOAK${n.toString(16).toUpperCase().padStart(12, '0')}` };
  const ts = 1767225600 + n;
  switch (n % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
      return {
        key,
        messageTimestamp: ts,
        pushName: 'Müşteri',
        message: { conversation: `Merhaba, sipariş ${n} nerede? İade süreci nasıl işliyor?` },
      };
    case 4:
    case 5:
      return {
        key: { ...key, remoteJid: `${100_000_000_000 + n}@lid`, remoteJidAlt: pn },
        messageTimestamp: ts,
        message: { extendedTextMessage: { text: 'Evet bu sipariş', contextInfo: { stanzaId: `SOAKQ${n}` } } },
      };
    case 6:
    case 7:
      return {
        key,
        messageTimestamp: ts,
        message: {
          ephemeralMessage: {
            message: {
              imageMessage: {
                mimetype: 'image/jpeg',
                caption: 'Kırık ürün',
                fileLength: 53_122,
                directPath: '/v/t62/x.enc',
              },
            },
          },
        },
      };
    case 8:
      return {
        key,
        messageTimestamp: ts,
        message: {
          reactionMessage: {
            key: { remoteJid: pn, fromMe: true, id: `SOAKT${n}` },
            text: '👍',
            senderTimestampMs: ts * 1000,
          },
        },
      };
    default:
      return n % 100 === 9
        ? { key, messageTimestamp: ts, messageStubType: 2, messageStubParameters: ['Bad MAC'] }
        : {
            key,
            messageTimestamp: ts,
            message: { locationMessage: { degreesLatitude: 41.0, degreesLongitude: 29.0 } },
          };
  }
}

async function main() {
  const tag = randomUUID().slice(0, 8);
  const prefix = `soak${tag}.`;
  const schema = `wa_soak_${tag}`;
  const topicEnv = topicEnvSchema.parse({
    KAFKA_BROKERS: BROKERS,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_TOPIC_PARTITIONS: '6',
  });
  // Metadata of fresh topics can lag on a busy single broker (UNKNOWN_TOPIC_OR_PARTITION): retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await createTopics(topicEnv);
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
    }
  }
  await migrate({ databaseUrl: DATABASE_URL, schema, dir: fileURLToPath(new URL('../migrations', import.meta.url)) });
  const pool = createPool(DATABASE_URL, { service: 'wa-soak', max: SESSIONS + 2 });
  const leasePool = createPool(DATABASE_URL, { service: 'wa-soak-lease', max: SESSIONS + 1 });
  const logger = createLogger({ service: 'wa-soak', level: 'warn' });
  const metrics = createMetrics('wa-soak');
  const waMetrics = createWhatsappMetrics(metrics);
  const bus = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: BROKERS, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'wa-soak',
    logger,
    metrics: metrics.bus,
  });
  await bus.start();
  const ingest = createIngest({
    bus,
    store: new PgPublishedStore(pool, schema),
    ingestGroups: false,
    logger,
    metrics: waMetrics,
  });
  let handled = 0;
  const emittedAt = new Map<RawUpsert, number>();
  const latencies: number[] = [];
  let published = 0;
  const counting: Ingest = {
    ...ingest,
    upsert: async (id, payloads, input) => {
      const n = await ingest.upsert(id, payloads, input);
      published += n;
      const now = performance.now();
      for (const p of [payloads].flat()) {
        handled += p.messages.length;
        latencies.push(now - (emittedAt.get(p) ?? now));
        emittedAt.delete(p);
      }
      return n;
    },
  };
  const fake = new FakeBaileys();
  const repo = new PgSessionRepo(pool, schema);
  const sessions: WhatsappSession[] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const auth = await loadPgAuthState(pool, schema, `soak-${s}`);
    auth.state.creds.registered = true;
    await auth.saveCreds();
    const session = new WhatsappSession(`soak-${s}`, {
      socketFactory: fake.factory,
      leases: new PgSessionLease(leasePool, schema),
      loadAuth: (id) => loadPgAuthState(pool, schema, id),
      repo,
      ingest: counting,
      logger,
      metrics: waMetrics,
      backoff: { baseMs: 1_000, maxMs: 60_000 },
      leaseRetryMs: 15_000,
      pairTimeoutMs: 30_000,
      printQr: false,
    });
    await session.start();
    fake.last(`soak-${s}`).open();
    sessions.push(session);
  }

  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const startRss = process.memoryUsage().rss;
  const t0 = performance.now();
  let emitted = 0;
  // Emit as fast as the pipeline drains, keeping at most WINDOW unhandled messages per session.
  while (emitted < UPSERTS) {
    if (emitted - handled >= WINDOW * SESSIONS) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    const messages = Array.from({ length: Math.min(BATCH, UPSERTS - emitted) }, (_, i) => synthetic(emitted + i));
    const upsert: RawUpsert = { type: 'notify', messages };
    emittedAt.set(upsert, performance.now());
    fake.last(`soak-${(emitted / BATCH) % SESSIONS}`).ev.emit('messages.upsert', upsert);
    emitted += messages.length;
    if (emitted % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  while (handled < UPSERTS) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => percentile(latencies, p * 100).toFixed(0);
  process.stdout.write(
    `${UPSERTS} messages in ${Math.ceil(UPSERTS / BATCH)} upserts (${BATCH} msg each, ${SESSIONS} sessions): ` +
      `${published} events published in ${seconds.toFixed(1)} s = ${Math.round(UPSERTS / seconds)} msgs/s; ` +
      `upsert→acked p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms; ` +
      `RSS start ${mb(startRss)} peak ${mb(peakRss)} end ${mb(process.memoryUsage().rss)}\n`,
  );
  for (const session of sessions) await session.stop();
  await bus.stop();
  await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  await pool.end();
  await leasePool.end();
}

await main();
