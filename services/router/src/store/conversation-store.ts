import type { Conversation, Queryable } from './conversation-repo';
import { countContacts, lockConversation, previousConversation, saveConversation, type PreviousConversation } from './conversation-repo';
import { settleDeadline, upsertDeadline } from './deadline-repo';
import { appendHistory, type HistoryEntry } from './history-repo';

/**
 * What the routing use cases read and write. `DirectStore` goes to Postgres at once (HTTP calls,
 * merges); `BatchStore` (batch-store.ts) prefetches a consumer batch and writes it back in bulk.
 */
export interface ConversationStore {
  /** The conversation, locked for this transaction. */
  lock(id: string): Promise<Conversation | undefined>;
  /** The customer's latest conversation other than `excludeId`. */
  previousConversation(customerId: string, excludeId: string): Promise<PreviousConversation | undefined>;
  contacts(contact: { eventId: string; customerId: string; at: Date }, windowsMs: number[]): Promise<Map<number, number>>;
  save(c: Conversation): Promise<void>;
  upsertDeadline(id: string, conversationId: string, dueAt: Date): Promise<void>;
  settleDeadline(id: string, state: 'stopped' | 'cancelled'): Promise<void>;
  appendHistory(entry: HistoryEntry): Promise<void>;
}

export class DirectStore implements ConversationStore {
  constructor(readonly db: Queryable) {}
  lock = (id: string) => lockConversation(this.db, id);
  previousConversation = (customerId: string, excludeId: string) => previousConversation(this.db, customerId, excludeId);
  contacts = (contact: { eventId: string; customerId: string; at: Date }, windowsMs: number[]) => countContacts(this.db, contact, windowsMs);
  save = (c: Conversation) => saveConversation(this.db, c);
  upsertDeadline = (id: string, conversationId: string, dueAt: Date) => upsertDeadline(this.db, id, conversationId, dueAt);
  settleDeadline = (id: string, state: 'stopped' | 'cancelled') => settleDeadline(this.db, id, state);
  appendHistory = (entry: HistoryEntry) => appendHistory(this.db, entry);
}
