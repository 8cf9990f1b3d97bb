import type { ImapFlow } from 'imapflow';
import type { MailboxConfig } from '../config';
import { backoffDelay } from './backoff';
import { createImapClient, type ImapTiming } from './imap-client';
import { processPage, type FolderDeps } from './process-page';

/**
 * One live IMAP connection for one folder: drain from the cursor, then wait for IDLE's `exists`
 * (a hint, never data), the poll timer, or a drop. Every reconnect builds a new client and
 * re-reads UIDVALIDITY, because a changed value is only visible after a fresh SELECT.
 */
export class FolderWatcher {
  private stopped = false;
  private dirty = true;
  private wake: (() => void) | undefined;
  private client: ImapFlow | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly mailbox: MailboxConfig,
    private readonly deps: FolderDeps,
    private readonly timing: ImapTiming & { reconnectMaxMs: number },
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signal();
    await this.loop;
  }

  private signal(): void {
    this.dirty = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    const { logger, metrics, folder, account } = this.deps;
    const labels = { mailbox: account, folder };
    for (let attempt = 0; !this.stopped; ) {
      const client = createImapClient(this.mailbox, this.timing);
      this.client = client;
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.on('error', (err: Error & { code?: string }) => logger.warn({ folder, code: err.code ?? 'EMAIL.IMAP_ERROR', reason: err.message }, 'imap error'));
      client.on('exists', () => this.signal());
      try {
        await client.connect();
        await client.mailboxOpen(folder);
        metrics.connected.set(labels, 1);
        logger.info({ folder, idle: client.capabilities.has('IDLE') }, 'imap connected');
        this.dirty = true;
        while (!this.stopped && client.usable) {
          if (this.dirty) {
            this.dirty = false;
            await this.drain(client);
            attempt = 0;
            continue;
          }
          await this.waitForWork(closed);
        }
      } catch (error) {
        const e = error as Error & { code?: string };
        if (!this.stopped) logger.warn({ folder, code: e.code ?? 'EMAIL.IMAP_FAILED', reason: e.message }, 'imap session failed');
      } finally {
        metrics.connected.set(labels, 0);
        await this.closeClient(client);
      }
      if (this.stopped) break;
      metrics.reconnects.inc(labels);
      const delay = backoffDelay(attempt++, { maxMs: this.timing.reconnectMaxMs });
      logger.info({ folder, delayMs: delay }, 'imap reconnecting');
      await this.sleep(delay);
    }
  }

  private async drain(client: ImapFlow): Promise<void> {
    const { account, folder, cursors, logger, metrics, limits } = this.deps;
    const labels = { mailbox: account, folder };
    if (!client.mailbox) throw Object.assign(new Error('no mailbox selected'), { code: 'EMAIL.NOT_SELECTED' });
    const uidValidity = String(client.mailbox.uidValidity);
    const cursor = await cursors.get(account, folder);
    let lastUid = 0;
    if (cursor?.uidValidity === uidValidity) lastUid = cursor.lastUid;
    else if (cursor) {
      // The old UIDs mean nothing now: rescan everything; published Message-IDs are skipped.
      metrics.resyncs.inc(labels);
      logger.warn({ folder, code: 'EMAIL.UIDVALIDITY_CHANGED', previous: cursor.uidValidity, current: uidValidity }, 'uidvalidity changed; resyncing');
    }
    const found = (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
    // `N:*` always includes the highest UID even when it is below N (RFC 3501 §6.4.8).
    const uids = found.filter((u) => u > lastUid).sort((a, b) => a - b);
    metrics.backlog.set(labels, uids.length);
    if (uids.length === 0 && cursor?.uidValidity !== uidValidity) {
      await cursors.commitPage(account, folder, { uidValidity, lastUid }, []);
    }
    for (let i = 0; i < uids.length && !this.stopped; i += limits.pageSize) {
      const page = uids.slice(i, i + limits.pageSize);
      await processPage(client, page, uidValidity, this.deps);
      metrics.backlog.set(labels, uids.length - i - page.length);
    }
  }

  private waitForWork(closed: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.timing.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
      void closed.then(done);
    }).then(() => {
      // A poll tick re-checks the folder even without an `exists` (IDLE connections die silently).
      this.dirty = true;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async closeClient(client: ImapFlow): Promise<void> {
    if (client.usable) {
      // LOGOUT lets Dovecot end the session at once; a dead peer must not hold the shutdown.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([client.logout().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 2_000)))]);
      clearTimeout(timer);
    }
    client.close();
    if (this.client === client) this.client = undefined;
  }
}
