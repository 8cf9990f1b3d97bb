import type { Pool } from '@kanal/postgres';
import { retriable } from '../failure';
import { MemoryThreadIndex, type ThreadEntry, type ThreadIndex } from '../threading/thread-index';

/**
 * Thread index over Postgres with an in-memory overlay for the page being processed: a reply in
 * the same page as its root finds it before the page is committed. Its failures are retriable:
 * an unreachable database must never turn a message into a dead letter.
 */
export class PgThreadIndex implements ThreadIndex {
  private readonly overlay = new MemoryThreadIndex();
  /** Roots looked up in one query per page (null: not known), instead of one query per message. */
  private readonly cache = new Map<string, string | null>();

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  async rootOf(account: string, messageId: string): Promise<string | undefined> {
    const pending = await this.overlay.rootOf(account, messageId);
    if (pending) return pending;
    const cached = this.cache.get(`${account}\n${messageId}`);
    if (cached !== undefined) return cached ?? undefined;
    const { rows } = await this.query<{ root: string }>(
      `SELECT root FROM "${this.schema}".messages WHERE account = $1 AND message_id = $2`,
      [account, messageId],
    );
    return rows[0]?.root;
  }

  async findBySubject(account: string, baseSubject: string, sender: string, since: Date): Promise<string | undefined> {
    const pending = await this.overlay.findBySubject(account, baseSubject, sender, since);
    if (pending) return pending;
    const { rows } = await this.query<{ root: string }>(
      `SELECT root FROM "${this.schema}".messages
       WHERE account = $1 AND base_subject = $2 AND sender = $3 AND occurred_at >= $4
       ORDER BY occurred_at DESC LIMIT 1`,
      [account, baseSubject, sender, since.toISOString()],
    );
    return rows[0]?.root;
  }

  /** Only committed messages count: the page in flight is not "published before". */
  async known(account: string, messageIds: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const { rows } = await this.query<{ message_id: string }>(
      `SELECT message_id FROM "${this.schema}".messages WHERE account = $1 AND message_id = ANY($2::text[])`,
      [account, messageIds],
    );
    for (const r of rows) out.add(r.message_id);
    return out;
  }

  async prefetch(account: string, messageIds: string[]): Promise<void> {
    const ids = [...new Set(messageIds)];
    if (ids.length === 0) return;
    const { rows } = await this.query<{ message_id: string; root: string }>(
      `SELECT message_id, root FROM "${this.schema}".messages WHERE account = $1 AND message_id = ANY($2::text[])`,
      [account, ids],
    );
    for (const id of ids) this.cache.set(`${account}\n${id}`, null);
    for (const r of rows) this.cache.set(`${account}\n${r.message_id}`, r.root);
  }

  private query<R extends object>(sql: string, params: unknown[]) {
    return this.pool.query<R>(sql, params).catch((error: unknown) => {
      throw retriable(error);
    });
  }

  remember(account: string, entry: ThreadEntry): void {
    this.overlay.remember(account, entry);
  }

  /** The page's entries, handed to the cursor commit (and forgotten here either way). */
  takePending(): ThreadEntry[] {
    this.cache.clear();
    return this.overlay.drain().map((p) => p.entry);
  }
}
