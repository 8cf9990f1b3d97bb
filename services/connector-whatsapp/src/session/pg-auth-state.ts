import {
  BufferJSON,
  initAuthCreds,
  makeCacheableSignalKeyStore,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import type { Pool } from '@kanal/postgres';
import { withTransaction } from '@kanal/postgres';

const encode = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
const decode = (text: string) => JSON.parse(text, BufferJSON.reviver) as unknown;

export interface PgAuthState {
  state: AuthenticationState;
  /** Writes the current creds (Baileys mutates `state.creds` in place before `creds.update`). */
  saveCreds(): Promise<void>;
  /** Forgets creds and keys (after 401 logged out): the next start pairs afresh. */
  clear(): Promise<void>;
}

/**
 * Baileys auth state in Postgres instead of files (`useMultiFileAuthState` is "not for
 * production"). `set` resolves only after the transaction commits, so a key Baileys used to
 * encrypt or decrypt is never lost to a crash; reads go through Baileys' key cache.
 */
export async function loadPgAuthState(pool: Pool, schema: string, sessionId: string): Promise<PgAuthState> {
  const t = (name: string) => `"${schema}".${name}`;
  const row = await pool.query<{ creds: string }>(`SELECT creds FROM ${t('auth_creds')} WHERE session_id = $1`, [sessionId]);
  const creds = row.rows[0] ? (decode(row.rows[0].creds) as AuthenticationCreds) : initAuthCreds();

  const store: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      if (ids.length === 0) return out;
      const res = await pool.query<{ id: string; value: string }>(
        `SELECT id, value FROM ${t('auth_keys')} WHERE session_id = $1 AND type = $2 AND id = ANY($3::text[])`,
        [sessionId, type, ids],
      );
      for (const r of res.rows) {
        let value = decode(r.value);
        // Baileys expects the protobuf class here (its file store does the same conversion).
        if (type === 'app-state-sync-key' && value) value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
        out[r.id] = value as SignalDataTypeMap[T];
      }
      return out;
    },
    async set(data: SignalDataSet) {
      const upsert: [string[], string[], string[]] = [[], [], []];
      const remove: [string[], string[]] = [[], []];
      for (const [type, items] of Object.entries(data)) {
        for (const [id, value] of Object.entries(items ?? {})) {
          if (value === null || value === undefined) {
            remove[0].push(type);
            remove[1].push(id);
          } else {
            upsert[0].push(type);
            upsert[1].push(id);
            upsert[2].push(encode(value));
          }
        }
      }
      if (!upsert[0].length && !remove[0].length) return;
      await withTransaction(pool, async (client) => {
        if (upsert[0].length) {
          await client.query(
            `INSERT INTO ${t('auth_keys')} (session_id, type, id, value)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
             ON CONFLICT (session_id, type, id) DO UPDATE SET value = EXCLUDED.value`,
            [sessionId, ...upsert],
          );
        }
        if (remove[0].length) {
          await client.query(
            `DELETE FROM ${t('auth_keys')} k USING unnest($2::text[], $3::text[]) AS d(type, id)
             WHERE k.session_id = $1 AND k.type = d.type AND k.id = d.id`,
            [sessionId, ...remove],
          );
        }
      });
    },
    async clear() {
      await pool.query(`DELETE FROM ${t('auth_keys')} WHERE session_id = $1`, [sessionId]);
    },
  };

  const state: AuthenticationState = { creds, keys: makeCacheableSignalKeyStore(store) };
  return {
    state,
    async saveCreds() {
      await pool.query(
        `INSERT INTO ${t('auth_creds')} (session_id, creds, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (session_id) DO UPDATE SET creds = EXCLUDED.creds, updated_at = now()`,
        [sessionId, encode(state.creds)],
      );
    },
    async clear() {
      await withTransaction(pool, async (client) => {
        await client.query(`DELETE FROM ${t('auth_keys')} WHERE session_id = $1`, [sessionId]);
        await client.query(`DELETE FROM ${t('auth_creds')} WHERE session_id = $1`, [sessionId]);
      });
      await state.keys.clear?.();
      state.creds = initAuthCreds();
    },
  };
}
