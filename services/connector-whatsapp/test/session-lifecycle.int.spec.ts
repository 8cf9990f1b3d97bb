import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CloudEvent } from '@kanal/contracts';
import { createPool } from '@kanal/postgres';
import { waitFor } from '@kanal/testing';
import { startConnectorWhatsapp, type RunningWhatsapp } from '../src/app';
import type { WhatsappConfig } from '../src/config';
import { loadPgAuthState } from '../src/session/pg-auth-state';
import { FakeBaileys, textMessage } from './fake-baileys';
import { AUTH, DATABASE_URL, collectInbound, isolation, removeIsolation, testConfig } from './harness';

const fake = new FakeBaileys();
const media = new Map<string, Buffer>();
const pool = createPool(DATABASE_URL, { service: 'wa-test', max: 2 });
let config: WhatsappConfig;
let schema: string;
let prefix: string;
let svc: RunningWhatsapp | undefined;
let inbound: Awaited<ReturnType<typeof collectInbound>>;

const start = async () =>
  (svc = await startConnectorWhatsapp(config, {
    handleSignals: false,
    socketFactory: fake.factory,
    downloadMedia: async (msg) => media.get(msg.key.id!) ?? Promise.reject(new Error('gone')),
  }));
const stop = async () => {
  await svc?.shutdown('test');
  svc = undefined;
};
const url = (path: string) => `http://127.0.0.1:${svc!.port}${path}`;
const sessions = async () =>
  ((await (await fetch(url('/v1/sessions'), { headers: AUTH })).json()) as { items: Array<Record<string, string>> })
    .items;
const stateOf = async (id: string) => (await sessions()).find((s) => s.id === id)?.state;
const metric = async (name: string) => {
  const text = await (await fetch(url('/metrics'))).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
};
const ext = (e: CloudEvent) => (e.data as { externalId: string }).externalId;
const published = (id: string, type?: string) =>
  inbound.events.filter((e) => ext(e) === id && (!type || e.type === type));
/** Events are handled in order per session, so once a later sentinel is out, everything before it was handled. */
const sentinel = async (session: string, id: string) => {
  fake.last(session).upsert([textMessage(id, 'sentinel')]);
  await waitFor(() => published(id).length === 1, { what: `sentinel ${id}` });
};

beforeAll(async () => {
  const iso = await isolation();
  schema = iso.schema;
  prefix = iso.prefix;
  inbound = await collectInbound(iso.prefix);
  config = testConfig({
    KAFKA_TOPIC_PREFIX: iso.prefix,
    WHATSAPP_DB_SCHEMA: schema,
    WHATSAPP_SESSIONS: 'shop-tr,shop-b',
    WHATSAPP_RECONNECT_BASE_MS: '20',
    WHATSAPP_RECONNECT_MAX_MS: '100',
    WHATSAPP_LEASE_RETRY_MS: '200',
    WHATSAPP_PAIR_TIMEOUT_MS: '10000',
    BLOB_DIR: mkdtempSync(join(tmpdir(), 'wa-blobs-')),
  });
  // shop-b was paired before (creds in Postgres): it connects without pairing.
  await start();
  await stop();
  const b = await loadPgAuthState(pool, schema, 'shop-b');
  b.state.creds.registered = true;
  await b.saveCreds();
  await start();
});

afterAll(async () => {
  await stop();
  await inbound.stop();
  await pool.end();
  await removeIsolation({ prefix, schema });
});

describe('sessions', () => {
  it('resumes a paired session without pairing and leaves an unpaired one waiting', async () => {
    await waitFor(() => fake.of('shop-b').length === 1, { what: 'shop-b socket' });
    fake.last('shop-b').open();
    await waitFor(async () => (await stateOf('shop-b')) === 'open', { what: 'shop-b open' });
    expect(fake.of('shop-tr')).toHaveLength(0);
    expect(await stateOf('shop-tr')).toBe('unpaired');
    expect((await fetch(url('/v1/sessions'))).status).toBe(401);
  });

  it('pairs over HTTP: QR, creds durable before use, 515 reconnects at once on a fresh socket', async () => {
    const pairing = fetch(url('/v1/sessions/shop-tr/pair'), {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: '{}',
    });
    await waitFor(() => fake.of('shop-tr').length === 1, { what: 'pairing socket' });
    const first = fake.last('shop-tr');
    first.qr('2@kanal-qr-ref,abc,def');
    const res = await pairing;
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 'shop-tr', qr: '2@kanal-qr-ref,abc,def' });

    first.paired();
    await waitFor(async () => (await loadPgAuthState(pool, schema, 'shop-tr')).state.creds.registered, {
      what: 'creds saved',
    });
    first.close(515, 'Stream Errored (restart required)');
    await waitFor(() => fake.of('shop-tr').length === 2, { what: 'socket after 515' });
    expect(first.listenerCount()).toBe(0);
    fake.last('shop-tr').open();
    await waitFor(async () => (await stateOf('shop-tr')) === 'open', { what: 'open' });
    expect((await sessions()).find((s) => s.id === 'shop-tr')?.lastConnectedAt).toEqual(expect.any(String));
  });

  it('rejects bad pairing requests with a reason', async () => {
    const post = (id: string, body: string) =>
      fetch(url(`/v1/sessions/${id}/pair`), {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body,
      });
    expect(await (await post('shop-tr', '{}')).json()).toMatchObject({ code: 'SESSION.ALREADY_PAIRED' });
    expect(await (await post('bad id!', '{}')).json()).toMatchObject({ code: 'SESSION.INVALID_ID' });
    expect(await (await post('new-one', '{"phoneNumber":"abc"}')).json()).toMatchObject({
      code: 'SESSION.INVALID_PHONE',
    });
    expect((await post('new-one', '{"x":1}')).status).toBe(400);
  });
});

describe('messages', () => {
  it('publishes notify and append, with phone from the LID mapping store when the key has none', async () => {
    fake.lids.set('111122223333444@lid', '905387654321@s.whatsapp.net');
    const sock = fake.last('shop-tr');
    sock.upsert([textMessage('M-A', 'bir'), textMessage('M-B', 'iki')]);
    sock.upsert(
      [
        {
          ...textMessage('M-LID', 'lid'),
          key: { remoteJid: '111122223333444@lid', fromMe: false, id: 'M-LID', addressingMode: 'lid' },
        },
      ],
      'append',
    );
    await waitFor(() => ['M-A', 'M-B', 'M-LID'].every((id) => published(id).length === 1), { what: 'three messages' });
    expect((published('M-LID')[0]!.data as { sender: unknown }).sender).toMatchObject({
      identities: [
        { type: 'phone', value: '+905387654321' },
        { type: 'whatsapp-lid', value: '111122223333444@lid' },
      ],
    });
  });

  it('holds a CIPHERTEXT stub and publishes the resend with the same key.id once', async () => {
    const sock = fake.last('shop-tr');
    const stub = {
      key: { remoteJid: '905321234567@s.whatsapp.net', fromMe: false, id: 'M-STUB' },
      messageTimestamp: 1767225700,
      messageStubType: 2,
      messageStubParameters: ['Message absent from node'],
    };
    sock.upsert([stub]);
    sock.upsert([stub]);
    await sentinel('shop-tr', 'S-1');
    expect(published('M-STUB')).toHaveLength(0);
    expect(await metric('kanal_whatsapp_held_stubs_total')).toBe(2);
    const resend = textMessage('M-STUB', 'decrypted at last');
    sock.upsert([resend], 'notify', 'placeholder-req-1');
    sock.upsert([resend], 'notify');
    await sentinel('shop-tr', 'S-2');
    expect(published('M-STUB')).toHaveLength(1);
    expect(published('M-STUB')[0]!.data).toMatchObject({ text: 'decrypted at last' });
  });

  it('publishes one deleted event for a revoke delivered as upsert and as messages.update', async () => {
    const sock = fake.last('shop-tr');
    const chat = '905321234567@s.whatsapp.net';
    sock.upsert([
      {
        key: { remoteJid: chat, fromMe: false, id: 'REV-1' },
        messageTimestamp: 1767225800,
        message: { protocolMessage: { key: { remoteJid: chat, fromMe: true, id: 'M-A' }, type: 0 } },
      },
    ]);
    sock.ev.emit('messages.update', [
      {
        key: { remoteJid: chat, fromMe: false, id: 'M-A' },
        update: { message: null, messageStubType: 1, key: { remoteJid: chat, id: 'REV-1' } },
      },
    ]);
    sock.ev.emit('messages.reaction', [
      {
        key: { remoteJid: chat, fromMe: false, id: 'M-B' },
        reaction: { key: { remoteJid: chat, fromMe: false, id: 'RX-1' }, text: '❤️', senderTimestampMs: 1767225900000 },
      },
    ]);
    sock.upsert([
      {
        key: { remoteJid: chat, fromMe: false, id: 'RX-1' },
        messageTimestamp: 1767225900,
        message: {
          reactionMessage: {
            key: { remoteJid: chat, fromMe: false, id: 'M-B' },
            text: '❤️',
            senderTimestampMs: 1767225900000,
          },
        },
      },
    ]);
    await sentinel('shop-tr', 'S-3');
    expect(published('M-A', 'kanal.message.deleted.v1')).toHaveLength(1);
    expect(published('M-B', 'kanal.reaction.changed.v1')).toHaveLength(1);
  });

  it('publishes media at once, then kanal.attachment.stored.v1 with the blob', async () => {
    const bytes = Buffer.from('%PDF-1.7 fatura');
    media.set('M-DOC', bytes);
    fake.last('shop-tr').upsert([
      {
        key: { remoteJid: '905321234567@s.whatsapp.net', fromMe: false, id: 'M-DOC' },
        messageTimestamp: 1767226000,
        message: {
          documentMessage: {
            mimetype: 'application/pdf',
            fileName: 'fatura.pdf',
            fileLength: bytes.length,
            directPath: '/v/doc.enc',
          },
        },
      },
    ]);
    await waitFor(() => published('M-DOC', 'kanal.attachment.stored.v1').length === 1, { what: 'attachment.stored' });
    const message = published('M-DOC', 'kanal.message.received.v1');
    expect(message).toHaveLength(1);
    expect((message[0]!.data as { attachments: unknown[] }).attachments).toEqual([
      expect.objectContaining({ kind: 'document', name: 'fatura.pdf' }),
    ]);
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(published('M-DOC', 'kanal.attachment.stored.v1')[0]!.data).toMatchObject({
      target: { externalId: 'M-DOC' },
      attachments: [{ index: 0, kind: 'document', blobRef: `blob:sha256/${sha}`, sha256: sha, size: bytes.length }],
    });
  });

  it('after a restart, append catch-up publishes each message exactly once', async () => {
    await stop();
    await start();
    await waitFor(() => fake.of('shop-tr').length === 3, { what: 'socket after restart' });
    const sock = fake.last('shop-tr');
    sock.open();
    sock.upsert([textMessage('M-A', 'bir'), textMessage('M-B', 'iki'), textMessage('M-C', 'üç (offline)')], 'append');
    await sentinel('shop-tr', 'S-4');
    for (const id of ['M-A', 'M-B', 'M-C']) expect(published(id, 'kanal.message.received.v1')).toHaveLength(1);
    expect(await metric('kanal_whatsapp_duplicates_total')).toBe(2);
  });
});

describe('reconnect policy', () => {
  it('backs off and reconnects on 428, discarding the old socket and listeners', async () => {
    const before = fake.of('shop-b').length;
    const old = fake.last('shop-b');
    old.close(428, 'Connection Closed');
    expect(old.listenerCount()).toBe(0);
    await waitFor(() => fake.of('shop-b').length === before + 1, { what: 'reconnect after 428' });
    fake.last('shop-b').open();
    await waitFor(async () => (await stateOf('shop-b')) === 'open', { what: 'open again' });
  });

  it('stops and alerts on 440 conflict and 403 forbidden, without scheduling a reconnect', async () => {
    fake.last('shop-b').close(440, 'Stream Errored (conflict)');
    expect(await stateOf('shop-b')).toBe('conflict');
    expect(svc!.manager.get('shop-b')!.reconnectScheduled).toBe(false);
    expect(await metric('kanal_whatsapp_session_alerts_total')).toBe(1);

    await stop();
    await start(); // an operator restart retries the conflicted session once
    await waitFor(() => svc!.manager.get('shop-b')?.state === 'connecting', { what: 'shop-b reconnecting' });
    const count = fake.of('shop-b').length;
    fake.last('shop-b').close(403, 'Connection Failure');
    expect(await stateOf('shop-b')).toBe('forbidden');
    expect(svc!.manager.get('shop-b')!.reconnectScheduled).toBe(false);
    expect(fake.of('shop-b')).toHaveLength(count);
  });

  it('clears the creds on 401, marks the session logged out and lets it re-pair with a pairing code', async () => {
    await waitFor(() => svc!.manager.get('shop-tr')?.state === 'connecting', { what: 'shop-tr connecting' });
    fake.last('shop-tr').open();
    fake.last('shop-tr').close(401, 'Connection Failure');
    await waitFor(async () => (await stateOf('shop-tr')) === 'logged-out', { what: 'logged out' });
    await waitFor(async () => !(await loadPgAuthState(pool, schema, 'shop-tr')).state.creds.registered, {
      what: 'creds cleared',
    });
    expect(await metric('kanal_whatsapp_logged_out_total')).toBe(1);

    const count = fake.of('shop-tr').length;
    const pairing = fetch(url('/v1/sessions/shop-tr/pair'), {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '+90 532 123 45 67' }),
    });
    await waitFor(() => fake.of('shop-tr').length === count + 1, { what: 're-pair socket' });
    fake.last('shop-tr').qr('2@again');
    expect(await (await pairing).json()).toEqual({ id: 'shop-tr', pairingCode: 'KNL4PAIR' });
    expect(fake.last('shop-tr').pairingRequests).toEqual(['905321234567']);
  });
});
