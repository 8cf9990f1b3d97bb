import { withTransaction, type Pool } from '@kanal/postgres';
import type { ThreadEntry } from '../threading/thread-index';

export interface FolderCursor {
  uidValidity: string;
  lastUid: number;
}

/**
 * The per-folder cursor `(UIDVALIDITY, lastUid)`. A page's cursor advance and its messages (the
 * dedup set and thread index) are written in one transaction, after Kafka acknowledged the page.
 */
export class PgCursorStore {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  async get(account: string, folder: string): Promise<FolderCursor | undefined> {
    const { rows } = await this.pool.query<{ uid_validity: string; last_uid: string }>(
      `SELECT uid_validity, last_uid FROM "${this.schema}".cursors WHERE account = $1 AND folder = $2`,
      [account, folder],
    );
    const row = rows[0];
    return row ? { uidValidity: row.uid_validity, lastUid: Number(row.last_uid) } : undefined;
  }

  async commitPage(account: string, folder: string, cursor: FolderCursor, entries: ThreadEntry[]): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      if (entries.length > 0) {
        await client.query(
          `INSERT INTO "${this.schema}".messages (account, message_id, root, base_subject, sender, occurred_at)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
           ON CONFLICT (account, message_id) DO NOTHING`,
          [
            account,
            entries.map((e) => e.messageId),
            entries.map((e) => e.root),
            entries.map((e) => e.baseSubject),
            entries.map((e) => e.sender),
            entries.map((e) => e.occurredAt.toISOString()),
          ],
        );
      }
      await client.query(
        `INSERT INTO "${this.schema}".cursors (account, folder, uid_validity, last_uid, updated_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (account, folder) DO UPDATE SET uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid, updated_at = now()`,
        [account, folder, cursor.uidValidity, cursor.lastUid],
      );
    });
  }
}
