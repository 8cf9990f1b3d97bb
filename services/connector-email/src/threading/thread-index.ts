/** One published message as the thread index and the resync dedup see it. */
export interface ThreadEntry {
  messageId: string;
  root: string;
  baseSubject: string;
  sender: string;
  occurredAt: Date;
}

/** Known messages per mailbox: thread roots, subject fallback and the dedup set. */
export interface ThreadIndex {
  rootOf(account: string, messageId: string): Promise<string | undefined>;
  /** Newest thread root with this base subject from this sender since `since`. */
  findBySubject(account: string, baseSubject: string, sender: string, since: Date): Promise<string | undefined>;
  /** Which of these ids were published before (a resync must not publish them again). */
  known(account: string, messageIds: string[]): Promise<Set<string>>;
  remember(account: string, entry: ThreadEntry): void;
}

/** In-process index: `kanal normalize`, unit tests, and the page overlay of the Postgres index. */
export class MemoryThreadIndex implements ThreadIndex {
  private readonly entries = new Map<string, ThreadEntry>();

  async rootOf(account: string, messageId: string): Promise<string | undefined> {
    return this.entries.get(`${account}\n${messageId}`)?.root;
  }

  async findBySubject(account: string, baseSubject: string, sender: string, since: Date): Promise<string | undefined> {
    let best: ThreadEntry | undefined;
    for (const [key, e] of this.entries) {
      if (!key.startsWith(`${account}\n`) || e.baseSubject !== baseSubject || e.sender !== sender || e.occurredAt < since) continue;
      if (!best || e.occurredAt > best.occurredAt) best = e;
    }
    return best?.root;
  }

  async known(account: string, messageIds: string[]): Promise<Set<string>> {
    return new Set(messageIds.filter((id) => this.entries.has(`${account}\n${id}`)));
  }

  remember(account: string, entry: ThreadEntry): void {
    this.entries.set(`${account}\n${entry.messageId}`, entry);
  }

  /** Entries remembered since the last drain (the Postgres adapter persists them on commit). */
  drain(): Array<{ account: string; entry: ThreadEntry }> {
    const out = [...this.entries].map(([key, entry]) => ({ account: key.split('\n')[0]!, entry }));
    this.entries.clear();
    return out;
  }
}
