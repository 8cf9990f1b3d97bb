import type { Pool } from '@kanal/postgres';

export interface SessionRow {
  id: string;
  state: string;
  lastConnectedAt: string | null;
  lastMessageAt: string | null;
}

/** Session ids and their last known state, shared by replicas (GET /v1/sessions shows all). */
export class PgSessionRepo {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  async ensure(id: string): Promise<void> {
    await this.pool.query(`INSERT INTO "${this.schema}".sessions (id) VALUES ($1) ON CONFLICT DO NOTHING`, [id]);
  }

  async save(row: SessionRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO "${this.schema}".sessions (id, state, last_connected_at, last_message_at, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state,
         last_connected_at = COALESCE(EXCLUDED.last_connected_at, sessions.last_connected_at),
         last_message_at = COALESCE(EXCLUDED.last_message_at, sessions.last_message_at), updated_at = now()`,
      [row.id, row.state, row.lastConnectedAt, row.lastMessageAt],
    );
  }

  async list(): Promise<SessionRow[]> {
    const res = await this.pool.query<{ id: string; state: string; last_connected_at: Date | null; last_message_at: Date | null }>(
      `SELECT id, state, last_connected_at, last_message_at FROM "${this.schema}".sessions ORDER BY id`,
    );
    return res.rows.map((r) => ({
      id: r.id,
      state: r.state,
      lastConnectedAt: r.last_connected_at?.toISOString() ?? null,
      lastMessageAt: r.last_message_at?.toISOString() ?? null,
    }));
  }
}
