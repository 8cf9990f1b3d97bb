import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FsBlobStore } from '@kanal/blob-store';
import { TOPICS, type CloudEvent, type DlqRecordData, type MessageData } from '@kanal/contracts';
import { createPool } from '@kanal/postgres';
import { waitFor } from '@kanal/testing';
import { startConnectorWhatsapp, type RunningWhatsapp } from '../src/app';
import { normalizeWhatsappWeb } from '../src/mapping/normalize-whatsapp-web';
import { loadPgAuthState } from '../src/session/pg-auth-state';
import { FakeBaileys, textMessage } from './fake-baileys';
import { DATABASE_URL, collectInbound, collectTopic, isolation, removeIsolation, testConfig } from './harness';

const fake = new FakeBaileys();
const pool = createPool(DATABASE_URL, { service: 'wa-test', max: 2 });
const blobDir = mkdtempSync(join(tmpdir(), 'wa-dlq-blobs-'));
const ME = { id: '905320000000:4@s.whatsapp.net', lid: '77788899900011:4@lid' };
let iso: { prefix: string; schema: string };
let svc: RunningWhatsapp;
let inbound: Awaited<ReturnType<typeof collectInbound>>;
let dlq: Awaited<ReturnType<typeof collectTopic>>;

const chat = '905321234567@s.whatsapp.net';
/** Baileys' upsert of a message whose content never arrived and which is no stub either. */
const noContent = {
  key: { remoteJid: chat, fromMe: false, id: 'M-EMPTY' },
  messageTimestamp: 1767225700,
  pushName: 'Ayşe',
};
const reactionWithoutTarget = {
  key: { remoteJid: chat, fromMe: false, id: 'M-RX-NOTARGET' },
  messageTimestamp: 1767225701,
  message: { reactionMessage: { text: '👍', senderTimestampMs: 1767225701000 } },
};
/** An item without key.id whose thumbnail alone is larger than a dead letter carries inline. */
const hugeWithoutId = {
  key: { remoteJid: chat, fromMe: false },
  messageTimestamp: 1767225702,
  message: { imageMessage: { mimetype: 'image/jpeg', jpegThumbnail: Buffer.alloc(450_000, 7) } },
};
const letters = () => dlq.events as Array<CloudEvent<string, DlqRecordData>>;
const ext = (e: CloudEvent) => (e.data as { externalId: string }).externalId;

beforeAll(async () => {
  iso = await isolation();
  [inbound, dlq] = await Promise.all([collectInbound(iso.prefix), collectTopic(iso.prefix, TOPICS.dlq)]);
  const config = testConfig({
    KAFKA_TOPIC_PREFIX: iso.prefix,
    WHATSAPP_DB_SCHEMA: iso.schema,
    WHATSAPP_SESSIONS: 'shop-tr',
    BLOB_DIR: blobDir,
  });
  svc = await startConnectorWhatsapp(config, { handleSignals: false, socketFactory: fake.factory });
  // A session paired earlier: creds, with the account Baileys learnt at pairing, are in Postgres.
  await svc.shutdown('test');
  const auth = await loadPgAuthState(pool, iso.schema, 'shop-tr');
  Object.assign(auth.state.creds, { registered: true, me: ME });
  await auth.saveCreds();
  svc = await startConnectorWhatsapp(config, { handleSignals: false, socketFactory: fake.factory });
  await waitFor(() => fake.of('shop-tr').length === 1, { what: 'socket' });
  fake.last('shop-tr').open();
});

afterAll(async () => {
  await svc.shutdown('test');
  await Promise.all([inbound.stop(), dlq.stop()]);
  await pool.end();
  await removeIsolation(iso);
});

it('dead-letters the unmappable items of an upsert with their raw payload and publishes the rest', async () => {
  const upsert = [
    textMessage('M-BEFORE', 'önce'),
    noContent,
    reactionWithoutTarget,
    hugeWithoutId,
    textMessage('M-AFTER', 'sonra'),
  ];
  fake.last('shop-tr').upsert(upsert);
  await waitFor(() => letters().length === 3 && inbound.events.length === 2, {
    what: () => `3 letters and 2 events (have ${letters().length}, ${inbound.events.length})`,
  });
  expect(inbound.events.map(ext)).toEqual(['M-BEFORE', 'M-AFTER']);
  // The business is the recipient: the session's own PN and LID from its creds.
  expect((inbound.events[0]!.data as MessageData).recipient).toEqual({
    identities: [
      { type: 'phone', value: '+905320000000' },
      { type: 'whatsapp-lid', value: '77788899900011@lid' },
    ],
  });

  const [empty, reaction, huge] = letters();
  expect(letters().map((l) => l.data.code)).toEqual([
    'WHATSAPP.NO_CONTENT',
    'WHATSAPP.REACTION_WITHOUT_TARGET',
    'WHATSAPP.MALFORMED_KEY',
  ]);
  expect(empty).toMatchObject({
    type: 'kanal.dlq.record.v1',
    subject: `whatsapp:shop-tr:${chat}`,
    data: {
      origin: 'provider',
      provider: 'whatsapp-web',
      channel: 'whatsapp',
      accountId: 'shop-tr',
      contentType: 'application/json',
    },
  });
  expect(JSON.parse(empty!.data.value)).toEqual({ messages: [noContent], session: { id: 'shop-tr', user: ME } });
  expect(JSON.parse(reaction!.data.value).messages).toEqual([reactionWithoutTarget]);

  // Too large to carry inline: the whole payload is in the connector's blob store.
  expect(huge!.data).toMatchObject({ value: '', blobRef: expect.stringMatching(/^blob:sha256\//) });
  const stored = JSON.parse((await buffer(await new FsBlobStore(blobDir).get(huge!.data.blobRef!))).toString('utf8'));
  expect(Buffer.from(stored.messages[0].message.imageMessage.jpegThumbnail, 'base64')).toEqual(
    hugeWithoutId.message.imageMessage.jpegThumbnail,
  );

  // Acknowledged like the events: remembered as published, so the next delivery is a duplicate.
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM "${iso.schema}".published_events WHERE event_id = ANY($1::uuid[])`,
    [letters().map((l) => l.id)],
  );
  expect(rows[0].n).toBe(3);

  // The letter re-runs through the CLI normalizer to the same letter: today's mapper still fails it.
  const rerun = await normalizeWhatsappWeb(Buffer.from(empty!.data.value), {}, { receivedAt: empty!.data.receivedAt });
  expect(rerun.map((e) => e.id)).toEqual([empty!.id]);
});

it('publishes nothing twice when the same upsert comes again (append catch-up)', async () => {
  fake
    .last('shop-tr')
    .upsert([textMessage('M-BEFORE', 'önce'), noContent, reactionWithoutTarget, hugeWithoutId], 'append');
  fake.last('shop-tr').upsert([textMessage('M-SENTINEL', 'son')]);
  await waitFor(() => inbound.events.some((e) => ext(e) === 'M-SENTINEL'), { what: 'sentinel' });
  expect(letters()).toHaveLength(3);
  expect(inbound.events.filter((e) => ext(e) === 'M-BEFORE')).toHaveLength(1);
});
