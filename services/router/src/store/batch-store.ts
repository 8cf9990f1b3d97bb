import type { Conversation, PreviousConversation, Queryable } from './conversation-repo';
import { lockConversation, toConversation } from './conversation-repo';
import { flushConversations, flushDeadlines, flushHistory } from './bulk-writes';
import type { ConversationStore } from './conversation-store';
import type { HistoryEntry } from './history-repo';

const COLUMNS = `id, customer_id, customer, status, queue, priority, channel, channels, last_inbound_channel,
  last_inbound_at, opened_at, generation, sla_started_at, sla_due_at, sla_breached, first_response_at, closed_at, merged_into`;

export interface BatchKeys {
  conversationIds: string[];
  customerIds: string[];
  contacts: Array<{ eventId: string; customerId: string; at: Date }>;
}

/**
 * A consumer batch's unit of work: a handful of bulk queries instead of ~8 round trips per
 * message. Conversations are locked and read up front, decisions run in memory (in record
 * order, so a batch with several messages of one conversation sees its own changes), and every
 * write is flushed in bulk before the publish and commit.
 */
export class BatchStore implements ConversationStore {
  private readonly cache = new Map<string, Conversation | null>();
  private readonly previous = new Map<string, PreviousConversation[]>();
  private readonly dirty = new Map<string, Conversation>();
  /** The dirty conversations per customer, most recently saved last (previousConversation's index). */
  private readonly dirtyOfCustomer = new Map<string, Map<string, Conversation>>();
  private readonly deadlines = new Map<string, { conversationId: string; dueAt: Date }>();
  private readonly settled = new Map<string, 'stopped' | 'cancelled'>();
  private history: HistoryEntry[] = [];
  private contactCounts = new Map<string, Map<number, number>>();

  constructor(private readonly db: Queryable) {}

  async prefetch(keys: BatchKeys, windowsMs: number[]): Promise<void> {
    const ids = [...new Set(keys.conversationIds)];
    const { rows } = await this.db.query(
      `SELECT ${COLUMNS} FROM conversations WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
      [ids],
    );
    for (const id of ids) this.cache.set(id, null);
    for (const r of rows) this.cache.set(r.id as string, toConversation(r));
    const customers = [...new Set(keys.customerIds)];
    // The two latest conversations per customer are enough to answer "previous, other than this one".
    // LATERAL: two index probes per customer (conversations_customer_idx), never a scan of the table.
    const prev = await this.db.query(
      `SELECT c.customer_id, p.id, p.queue FROM unnest($1::text[]) WITH ORDINALITY AS c(customer_id, n)
       CROSS JOIN LATERAL (SELECT id, queue, opened_at FROM conversations WHERE customer_id = c.customer_id
                           ORDER BY opened_at DESC LIMIT 2) p
       ORDER BY c.n, p.opened_at DESC`,
      [customers],
    );
    for (const r of prev.rows) {
      const list = this.previous.get(r.customer_id as string) ?? [];
      list.push({ id: r.id as string, queue: r.queue as string });
      this.previous.set(r.customer_id as string, list);
    }
    if (windowsMs.length > 0 && keys.contacts.length > 0) await this.prefetchContacts(keys.contacts, windowsMs);
  }

  private async prefetchContacts(contacts: BatchKeys['contacts'], windowsMs: number[]): Promise<void> {
    await this.db.query(
      `INSERT INTO contacts (event_id, customer_id, at) SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
      [contacts.map((c) => c.eventId), contacts.map((c) => c.customerId), contacts.map((c) => c.at)],
    );
    for (const ms of windowsMs) {
      const { rows } = await this.db.query(
        `SELECT e.event_id, (SELECT count(*)::int FROM contacts c WHERE c.customer_id = e.customer_id AND c.at > e.at - $4::interval AND c.at <= e.at) AS n
         FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS e(event_id, customer_id, at)`,
        [
          contacts.map((c) => c.eventId),
          contacts.map((c) => c.customerId),
          contacts.map((c) => c.at),
          `${ms} milliseconds`,
        ],
      );
      for (const r of rows) {
        const m = this.contactCounts.get(r.event_id as string) ?? new Map<number, number>();
        m.set(ms, r.n as number);
        this.contactCounts.set(r.event_id as string, m);
      }
    }
  }

  async lock(id: string): Promise<Conversation | undefined> {
    if (!this.cache.has(id)) this.cache.set(id, (await lockConversation(this.db, id)) ?? null);
    return this.cache.get(id) ?? undefined;
  }

  async previousConversation(customerId: string, excludeId: string): Promise<PreviousConversation | undefined> {
    const saved = [...(this.dirtyOfCustomer.get(customerId)?.values() ?? [])];
    const inBatch = saved.filter((c) => c.id !== excludeId).at(-1);
    if (inBatch) return { id: inBatch.id, queue: inBatch.queue };
    return this.previous.get(customerId)?.find((p) => p.id !== excludeId);
  }

  async contacts(contact: { eventId: string }): Promise<Map<number, number>> {
    return this.contactCounts.get(contact.eventId) ?? new Map();
  }

  async save(c: Conversation): Promise<void> {
    this.cache.set(c.id, c);
    const before = this.dirty.get(c.id);
    if (before) this.dirtyOfCustomer.get(before.customerId)?.delete(c.id);
    this.dirty.delete(c.id); // re-insert keeps "most recent last" for previousQueue
    this.dirty.set(c.id, c);
    const ofCustomer = this.dirtyOfCustomer.get(c.customerId) ?? new Map<string, Conversation>();
    ofCustomer.set(c.id, c);
    this.dirtyOfCustomer.set(c.customerId, ofCustomer);
  }

  async upsertDeadline(id: string, conversationId: string, dueAt: Date): Promise<void> {
    const current = this.deadlines.get(id);
    if (!current || dueAt < current.dueAt) this.deadlines.set(id, { conversationId, dueAt });
  }

  async settleDeadline(id: string, state: 'stopped' | 'cancelled'): Promise<void> {
    this.settled.set(id, state);
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    this.history.push(entry);
  }

  /** Writes everything back in bulk; the caller then publishes and commits. */
  async flush(): Promise<void> {
    await flushConversations(this.db, [...this.dirty.values()]);
    await flushDeadlines(this.db, this.deadlines, this.settled);
    await flushHistory(this.db, this.history);
    this.dirty.clear();
    this.dirtyOfCustomer.clear();
    this.deadlines.clear();
    this.settled.clear();
    this.history = [];
  }

  /** After a direct write (merge, split) the cached rows may be stale. */
  invalidate(): void {
    this.cache.clear();
    this.previous.clear();
  }
}
