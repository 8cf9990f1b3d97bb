import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { BlobStore } from '@kanal/blob-store';
import { TOPICS, inboundKey } from '@kanal/contracts';
import type { EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import type { EmailMetrics } from '../email-metrics';
import { mapMessage, type EmailEvent } from '../map-message';
import { parseMail, type ParseOptions } from '../mime/parse-mail';
import type { ParsedMail } from '../mime/parsed-mail';
import type { PgCursorStore } from '../store/pg-cursor-store';
import type { PgThreadIndex } from '../store/pg-thread-index';
import type { ThreadEntry } from '../threading/thread-index';

// Bodies up to this size are fetched together for the whole page (one round trip); larger ones
// are streamed one by one so a page never holds more than pageSize × this in memory.
const INLINE_BYTES = 256 * 1024;
const PARSE_CONCURRENCY = 4;

export interface FolderDeps {
  account: string;
  folder: string;
  preferReplyTo: boolean;
  moveTo?: string;
  bus: EventPublisher;
  cursors: PgCursorStore;
  threads: PgThreadIndex;
  blobs: BlobStore;
  logger: Logger;
  metrics: EmailMetrics;
  limits: Omit<ParseOptions, 'blobs'> & { pageSize: number; threadWindowDays: number };
}

/**
 * One UID page: fetch → parse → map → drop already-published Message-IDs → publish (acks=all) →
 * commit cursor and thread entries together. A crash anywhere before the commit republishes the
 * page with the same deterministic event ids (at-least-once, deduplicated by id downstream).
 */
export async function processPage(client: ImapFlow, uids: number[], uidValidity: string, deps: FolderDeps): Promise<void> {
  const { account, folder, metrics } = deps;
  const labels = { mailbox: account, folder };
  const endTimer = metrics.pages.startTimer(labels);
  const started = performance.now();
  /** Runs one message's step; a bad message is counted, logged and skipped, never fatal. */
  const guard = async (uid: number, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Connection and disk trouble is retried from the cursor; only a bad message is skipped.
      if (!client.usable || (code && /^E[A-Z]+$/.test(code))) throw error;
      metrics.dropped.inc({ reason: code ?? 'EMAIL.PARSE_FAILED' });
      metrics.messages.inc({ ...labels, outcome: 'failed' });
      deps.logger.warn({ folder, uid, code: code ?? 'EMAIL.PARSE_FAILED', reason: (error as Error).message }, 'message skipped');
    }
  };
  deps.threads.takePending(); // a failed earlier attempt must not leak its entries into this one
  const meta = (await client.fetchAll(uids.join(','), { uid: true, size: true, internalDate: true }, { uid: true })).sort((a, b) => a.uid - b.uid);
  const small = meta.filter((m) => (m.size ?? 0) <= INLINE_BYTES).map((m) => m.uid);
  const sources = new Map<number, Buffer>();
  if (small.length > 0) {
    for (const m of await client.fetchAll(small.join(','), { uid: true, source: true }, { uid: true })) if (m.source) sources.set(m.uid, m.source);
  }
  const fetched = performance.now();
  // In-memory bodies are parsed a few at a time (blob writes overlap with parsing); streamed ones
  // one by one, since each holds the IMAP connection until its stream is read.
  const slots: Array<ParsedMail | undefined> = new Array(meta.length);
  const parseAt = (i: number) => guard(meta[i]!.uid, async () => void (slots[i] = await readMail(client, meta[i]!, sources.get(meta[i]!.uid), deps)));
  let next = 0;
  const inMemory = async () => {
    for (let i = next++; i < meta.length; i = next++) if (sources.has(meta[i]!.uid)) await parseAt(i);
  };
  await Promise.all(Array.from({ length: PARSE_CONCURRENCY }, inMemory));
  sources.clear();
  for (let i = 0; i < meta.length; i++) if (!small.includes(meta[i]!.uid)) await parseAt(i);
  const parsed = meta.flatMap((m, i) => (slots[i] ? [{ m, mail: slots[i] }] : []));
  await deps.threads.prefetch(account, parsed.flatMap(({ mail }) => [...mail.references, ...(mail.inReplyTo ? [mail.inReplyTo] : [])]));
  const mapped: Array<{ event: EmailEvent; entry: ThreadEntry }> = [];
  for (const { m, mail } of parsed) {
    await guard(m.uid, async () => {
      const result = await mapMessage(mail, {
        account,
        preferReplyTo: deps.preferReplyTo,
        internalDate: m.internalDate ? new Date(m.internalDate) : undefined,
        receivedAt: new Date(),
        threads: deps.threads,
        threadWindowDays: deps.limits.threadWindowDays,
      });
      deps.threads.remember(account, result.entry);
      mapped.push(result);
      for (const a of mail.attachments) if (a.blobRef) metrics.attachmentBytes.inc({ mailbox: account }, a.size ?? 0);
    });
  }

  const mappedAt = performance.now();
  const known = await deps.threads.known(account, mapped.map((r) => r.event.data.externalId));
  const seen = new Set<string>();
  const fresh = mapped.filter(({ event }) => {
    const id = event.data.externalId;
    if (known.has(id) || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  if (fresh.length > 0) {
    await deps.bus.publish(fresh.map(({ event }) => ({ topic: TOPICS.inbound, key: inboundKey(event.data), event })));
  }
  const publishedAt = performance.now();
  const entries = deps.threads.takePending().filter((e) => !known.has(e.messageId));
  const lastUid = uids[uids.length - 1]!;
  await deps.cursors.commitPage(account, folder, { uidValidity, lastUid }, entries);
  metrics.messages.inc({ ...labels, outcome: 'published' }, fresh.length);
  metrics.messages.inc({ ...labels, outcome: 'duplicate' }, mapped.length - fresh.length);
  const seconds = endTimer();
  const phases = { fetchMs: Math.round(fetched - started), parseMs: Math.round(mappedAt - fetched), publishMs: Math.round(publishedAt - mappedAt) };
  if (deps.moveTo) {
    await client.messageMove(uids.join(','), deps.moveTo, { uid: true }).catch((err: Error) => {
      deps.logger.warn({ folder, code: 'EMAIL.MOVE_FAILED', reason: err.message }, 'move after processing failed');
    });
  }
  deps.logger.info(
    { folder, messages: uids.length, published: fresh.length, duplicates: mapped.length - fresh.length, lastUid, ms: Math.round(seconds * 1000), ...phases },
    'page drained',
  );
}

async function readMail(client: ImapFlow, m: FetchMessageObject, source: Buffer | undefined, deps: FolderDeps): Promise<ParsedMail> {
  const options = { ...deps.limits, blobs: deps.blobs };
  if ((m.size ?? 0) > deps.limits.maxMessageBytes) {
    // Over the message cap: headers only, so the event still exists (flagged `oversize`).
    const head = await client.fetchOne(String(m.uid), { uid: true, headers: true }, { uid: true });
    const mail = await parseMail(Buffer.concat([head ? (head.headers ?? Buffer.alloc(0)) : Buffer.alloc(0), Buffer.from('\r\n')]), options);
    mail.oversizeParts++;
    return mail;
  }
  if (source) return parseMail(source, options);
  const download = await client.download(String(m.uid), undefined, { uid: true });
  if (!download.content) throw Object.assign(new Error('message vanished before download'), { code: 'EMAIL.GONE' });
  return parseMail(download.content, options);
}
