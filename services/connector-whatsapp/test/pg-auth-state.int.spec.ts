import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { proto } from '@whiskeysockets/baileys';
import { createPool, migrate, type Pool } from '@kanal/postgres';
import { loadPgAuthState } from '../src/session/pg-auth-state';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `wa_auth_${randomUUID().slice(0, 8)}`;
let pool: Pool;

beforeAll(async () => {
  await migrate({ databaseUrl: DATABASE_URL, schema, dir: fileURLToPath(new URL('../migrations', import.meta.url)) });
  pool = createPool(DATABASE_URL, { service: 'wa-auth-test' });
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  await pool.end();
});

it('round-trips creds and every Signal key type through Postgres with Buffers intact', async () => {
  const first = await loadPgAuthState(pool, schema, 'shop-tr');
  first.state.creds.registered = true;
  first.state.creds.me = { id: '905320000000:3@s.whatsapp.net', lid: '99887766@lid' };
  await first.saveCreds();
  const buf = (n: number) => Buffer.from(Array.from({ length: 32 }, (_, i) => (i * n) % 256));
  await first.state.keys.set({
    'pre-key': { '1': { private: buf(3), public: buf(5) } },
    session: { '905321234567.0': buf(7) },
    'sender-key': { 'g@g.us::905321234567::0': buf(11) },
    'sender-key-memory': { 'g@g.us': { '905321234567@s.whatsapp.net': true } },
    'app-state-sync-key': { AAAAAB: { keyData: buf(13), fingerprint: { rawId: 7, currentIndex: 1 }, timestamp: 1767225600 } },
    'app-state-sync-version': { regular: { version: 3, hash: buf(17), indexValueMap: { abc: { valueMac: buf(19) } } } },
    'lid-mapping': { '905321234567': '123456789012345', '123456789012345_reverse': '905321234567' },
    'device-list': { '905321234567': ['0', '12'] },
    tctoken: { '905321234567@s.whatsapp.net': { token: buf(23), timestamp: '1767225600' } },
    'identity-key': { '905321234567.0': buf(29) },
  });

  // A fresh load (as after a restart) reads only what reached Postgres, not the cache.
  const second = await loadPgAuthState(pool, schema, 'shop-tr');
  expect(second.state.creds.registered).toBe(true);
  expect(Buffer.isBuffer(second.state.creds.noiseKey.private)).toBe(true);
  expect(Buffer.compare(Buffer.from(second.state.creds.noiseKey.private), Buffer.from(first.state.creds.noiseKey.private))).toBe(0);
  expect(second.state.creds.signedPreKey.signature).toEqual(first.state.creds.signedPreKey.signature);
  const keys = second.state.keys;
  expect((await keys.get('pre-key', ['1', '2']))['1']).toEqual({ private: buf(3), public: buf(5) });
  expect((await keys.get('session', ['905321234567.0']))['905321234567.0']).toEqual(buf(7));
  expect((await keys.get('sender-key', ['g@g.us::905321234567::0']))['g@g.us::905321234567::0']).toEqual(buf(11));
  expect((await keys.get('sender-key-memory', ['g@g.us']))['g@g.us']).toEqual({ '905321234567@s.whatsapp.net': true });
  const syncKey = (await keys.get('app-state-sync-key', ['AAAAAB']))['AAAAAB']!;
  expect(syncKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
  expect(Buffer.from(syncKey.keyData!)).toEqual(buf(13));
  expect((await keys.get('app-state-sync-version', ['regular']))['regular']).toEqual({
    version: 3,
    hash: buf(17),
    indexValueMap: { abc: { valueMac: buf(19) } },
  });
  expect(await keys.get('lid-mapping', ['905321234567', '123456789012345_reverse'])).toEqual({
    '905321234567': '123456789012345',
    '123456789012345_reverse': '905321234567',
  });
  expect((await keys.get('device-list', ['905321234567']))['905321234567']).toEqual(['0', '12']);
  expect((await keys.get('tctoken', ['905321234567@s.whatsapp.net']))['905321234567@s.whatsapp.net']).toEqual({ token: buf(23), timestamp: '1767225600' });
  expect((await keys.get('identity-key', ['905321234567.0']))['905321234567.0']).toEqual(buf(29));

  // null deletes; other sessions are untouched; clear() forgets everything of one session.
  await second.state.keys.set({ session: { '905321234567.0': null } });
  const third = await loadPgAuthState(pool, schema, 'shop-tr');
  expect(await third.state.keys.get('session', ['905321234567.0'])).toEqual({});
  const other = await loadPgAuthState(pool, schema, 'other');
  expect(other.state.creds.registered).toBe(false);
  await third.clear();
  expect(third.state.creds.registered).toBe(false);
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".auth_keys`);
  expect(rows[0].n).toBe(0);
  expect((await loadPgAuthState(pool, schema, 'shop-tr')).state.creds.registered).toBe(false);
});
