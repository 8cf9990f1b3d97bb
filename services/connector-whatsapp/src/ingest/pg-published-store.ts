import type { Pool } from '@kanal/postgres';

/** Remembers which event ids Kafka acknowledged, per session. */
export interface PublishedStore {
  /** The ids among `ids` not published yet. */
  unpublished(sessionId: string, ids: string[]): Promise<Set<string>>;
  markPublished(sessionId: string, ids: string[]): Promise<void>;
}

export class PgPublishedStore implements PublishedStore {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  async unpublished(sessionId: string, ids: string[]): Promise<Set<string>> {
    const res = await this.pool.query<{ event_id: string }>(
      `SELECT event_id FROM "${this.schema}".published_events WHERE session_id = $1 AND event_id = ANY($2::uuid[])`,
      [sessionId, ids],
    );
    const seen = new Set(res.rows.map((r) => r.event_id));
    return new Set(ids.filter((id) => !seen.has(id)));
  }

  async markPublished(sessionId: string, ids: string[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO "${this.schema}".published_events (session_id, event_id)
       SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [sessionId, ids],
    );
  }

  /** WhatsApp keeps offline messages for a bounded time; older ids cannot come back. */
  async prune(olderThanDays: number): Promise<number> {
    const res = await this.pool.query(
      `DELETE FROM "${this.schema}".published_events WHERE published_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return res.rowCount ?? 0;
  }
}
