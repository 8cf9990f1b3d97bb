import type { Pool } from '@kanal/postgres';

export interface PollCursor {
  /** Newest event id already published (null before the first complete run). */
  lastEventId: string | null;
  /** A paging run in progress: the newest id it started from and the page token to resume with. */
  backfill: { newestId: string; token: string } | null;
}

export interface CursorStore {
  load(accountId: string): Promise<PollCursor>;
  save(accountId: string, cursor: PollCursor): Promise<void>;
}

/** Poll cursors in the service's own schema (`connector_x.poll_cursor`). */
export class PgCursorStore implements CursorStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    // The schema name is validated by the config (SQL identifier) before it gets here.
    this.table = `"${schema}".poll_cursor`;
  }

  async load(accountId: string): Promise<PollCursor> {
    const { rows } = await this.pool.query<{
      last_event_id: string | null;
      backfill_newest_id: string | null;
      backfill_token: string | null;
    }>(`SELECT last_event_id, backfill_newest_id, backfill_token FROM ${this.table} WHERE account_id = $1`, [
      accountId,
    ]);
    const row = rows[0];
    if (!row) return { lastEventId: null, backfill: null };
    return {
      lastEventId: row.last_event_id,
      backfill:
        row.backfill_newest_id && row.backfill_token
          ? { newestId: row.backfill_newest_id, token: row.backfill_token }
          : null,
    };
  }

  async save(accountId: string, cursor: PollCursor): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (account_id, last_event_id, backfill_newest_id, backfill_token, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (account_id) DO UPDATE SET last_event_id = $2, backfill_newest_id = $3, backfill_token = $4, updated_at = now()`,
      [accountId, cursor.lastEventId, cursor.backfill?.newestId ?? null, cursor.backfill?.token ?? null],
    );
  }
}
