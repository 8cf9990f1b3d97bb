import type { Readable } from 'node:stream';
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { BlobStore } from '@kanal/blob-store';
import { TOPICS, inboundKey, type KanalEvent } from '@kanal/contracts';
import type { EventPublisher, OutgoingRecord } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import { emailDeadLetter, mailboxItem } from '../dead-letter';
import type { EmailMetrics } from '../email-metrics';
import { isRetriable, retriable, type FailureStage } from '../failure';
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
  /** The mailbox's Sent folder: its mail is outbound (the business is the sender). */
  sentFolder: boolean;
  preferReplyTo: boolean;
  moveTo?: string;
  bus: EventPublisher;
  cursors: PgCursorStore;
  threads: PgThreadIndex;
  blobs: BlobStore;
  logger: Logger;
  metrics: EmailMetrics;
  limits: Omit<ParseOptions, 'blobs'> & { pageSize: number; threadWindowDays: number };
  now?: () => Date;
}

interface Failure {
  error: unknown;
  stage: FailureStage;
  /** The bytes the parser saw, when the page had them in memory. */
  raw?: Buffer;
}

/**
 * One UID page: fetch → parse → map → drop already-published Message-IDs → publish (acks=all) →
 * commit cursor and thread entries together. A message that cannot be parsed or mapped is
 * published as a dead letter (its raw bytes) in the same publish, so the cursor never moves past
 * a message that went nowhere; trouble with IMAP, the blob store or Postgres fails the page, and
 * it is retried from the cursor with the same deterministic event ids.
 */
export async function processPage(
  client: ImapFlow,
  uids: number[],
  uidValidity: string,
  deps: FolderDeps,
): Promise<void> {
  const { account, folder, metrics, logger } = deps;
  const labels = { mailbox: account, folder };
  const endTimer = metrics.pages.startTimer(labels);
  const started = performance.now();
  const receivedAt = deps.now?.() ?? new Date();
  const failures = new Map<number, Failure>();
  const guard = async (uid: number, stage: FailureStage, step: () => Promise<void>, raw?: () => Buffer | undefined) => {
    try {
      await step();
    } catch (error) {
      if (!client.usable || isRetriable(error)) throw error;
      const bytes = raw?.();
      failures.set(uid, { error, stage, ...(bytes ? { raw: bytes } : {}) });
    }
  };
  deps.threads.takePending(); // a failed earlier attempt must not leak its entries into this one
  const meta = (
    await imap(client.fetchAll(uids.join(','), { uid: true, size: true, internalDate: true }, { uid: true }))
  ).sort((a, b) => a.uid - b.uid);
  const small = meta.filter((m) => (m.size ?? 0) <= INLINE_BYTES).map((m) => m.uid);
  const sources = new Map<number, Buffer>();
  if (small.length > 0) {
    for (const m of await imap(client.fetchAll(small.join(','), { uid: true, source: true }, { uid: true })))
      if (m.source) sources.set(m.uid, m.source);
  }
  const fetched = performance.now();
  // In-memory bodies are parsed a few at a time (blob writes overlap with parsing); streamed ones
  // one by one, since each holds the IMAP connection until its stream is read.
  const slots: Array<ParsedMail | undefined> = new Array(meta.length);
  const parseAt = async (i: number) => {
    const m = meta[i]!;
    let raw = sources.get(m.uid);
    const parse = async () => {
      const source = await sourceOf(client, m, raw, deps);
      if (Buffer.isBuffer(source)) raw = source;
      slots[i] = await parseMail(source, { ...deps.limits, blobs: deps.blobs });
    };
    await guard(m.uid, 'parse', parse, () => raw);
  };
  let next = 0;
  const inMemory = async () => {
    for (let i = next++; i < meta.length; i = next++) if (sources.has(meta[i]!.uid)) await parseAt(i);
  };
  await Promise.all(Array.from({ length: PARSE_CONCURRENCY }, inMemory));
  sources.clear();
  for (let i = 0; i < meta.length; i++) if (!small.includes(meta[i]!.uid)) await parseAt(i);
  const parsed = meta.flatMap((m, i) => (slots[i] ? [{ m, mail: slots[i] }] : []));
  await deps.threads.prefetch(
    account,
    parsed.flatMap(({ mail }) => [...mail.references, ...(mail.inReplyTo ? [mail.inReplyTo] : [])]),
  );
  const mapped: Array<{ event: EmailEvent; entry: ThreadEntry }> = [];
  for (const { m, mail } of parsed) {
    await guard(m.uid, 'map', async () => {
      const result = await mapMessage(mail, {
        account,
        preferReplyTo: deps.preferReplyTo,
        sentFolder: deps.sentFolder,
        internalDate: m.internalDate ? new Date(m.internalDate) : undefined,
        receivedAt,
        threads: deps.threads,
        threadWindowDays: deps.limits.threadWindowDays,
        storeOriginal: () => keepOriginal(client, m.uid, deps),
      });
      deps.threads.remember(account, result.entry);
      mapped.push(result);
      for (const a of mail.attachments) if (a.blobRef) metrics.attachmentBytes.inc({ mailbox: account }, a.size ?? 0);
    });
  }
  const deadLetters = await deadLettersOf(client, failures, uidValidity, receivedAt, deps);
  const expunged = uids.length - meta.length + failures.size - deadLetters.length;

  const mappedAt = performance.now();
  const known = await deps.threads.known(
    account,
    mapped.map((r) => r.event.data.externalId),
  );
  const seen = new Set<string>();
  const fresh = mapped.filter(({ event }) => {
    const id = event.data.externalId;
    if (known.has(id) || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const records: OutgoingRecord[] = [
    ...fresh.map(({ event }) => ({ topic: TOPICS.inbound, key: inboundKey(event.data), event })),
    ...deadLetters.map((event) => ({ topic: TOPICS.dlq, key: event.subject ?? `imap:${account}`, event })),
  ];
  if (records.length > 0) await deps.bus.publish(records);
  const publishedAt = performance.now();
  const entries = deps.threads.takePending().filter((e) => !known.has(e.messageId));
  const lastUid = uids[uids.length - 1]!;
  await deps.cursors.commitPage(account, folder, { uidValidity, lastUid }, entries);
  metrics.messages.inc({ ...labels, outcome: 'published' }, fresh.length);
  metrics.messages.inc({ ...labels, outcome: 'duplicate' }, mapped.length - fresh.length);
  metrics.messages.inc({ ...labels, outcome: 'dead_lettered' }, deadLetters.length);
  for (const letter of deadLetters) metrics.deadLettered.inc({ mailbox: account, code: letter.data.code });
  if (expunged > 0) metrics.skipped.inc({ ...labels, reason: 'expunged' }, expunged);
  const seconds = endTimer();
  const phases = {
    fetchMs: Math.round(fetched - started),
    parseMs: Math.round(mappedAt - fetched),
    publishMs: Math.round(publishedAt - mappedAt),
  };
  if (deps.moveTo) {
    await client.messageMove(uids.join(','), deps.moveTo, { uid: true }).catch((err: Error) => {
      logger.warn({ folder, code: 'EMAIL.MOVE_FAILED', reason: err.message }, 'move after processing failed');
    });
  }
  logger.info(
    {
      folder,
      messages: uids.length,
      published: fresh.length,
      duplicates: mapped.length - fresh.length,
      deadLettered: deadLetters.length,
      expunged,
      lastUid,
      ms: Math.round(seconds * 1000),
      ...phases,
    },
    'page drained',
  );
}

/** The raw bytes of every failed message, as dead letters; a message expunged meanwhile has none. */
async function deadLettersOf(
  client: ImapFlow,
  failures: Map<number, Failure>,
  uidValidity: string,
  receivedAt: Date,
  deps: FolderDeps,
) {
  const letters: Array<KanalEvent<'kanal.dlq.record.v1'>> = [];
  for (const [uid, failure] of [...failures].sort(([a], [b]) => a - b)) {
    const raw = failure.raw ?? (await downloadWhole(client, uid));
    if (!raw) continue;
    const item = mailboxItem(deps.account, deps.folder, uidValidity, uid);
    const letter = await emailDeadLetter({
      account: deps.account,
      raw,
      error: failure.error,
      stage: failure.stage,
      receivedAt,
      blobs: deps.blobs,
      item,
    });
    deps.logger.warn(
      { folder: deps.folder, uid, code: letter.data.code, reason: letter.data.message, bytes: raw.length },
      'message dead-lettered',
    );
    letters.push(letter);
  }
  return letters;
}

/** What the parser reads: the page's in-memory copy, the headers of a message over the cap, or a stream. */
async function sourceOf(
  client: ImapFlow,
  m: FetchMessageObject,
  inMemory: Buffer | undefined,
  deps: FolderDeps,
): Promise<Buffer | Readable> {
  if (inMemory) return inMemory;
  if ((m.size ?? 0) > deps.limits.maxMessageBytes) {
    // Over the message cap: headers only, so the event still exists (flagged `oversize`).
    const head = await imap(client.fetchOne(String(m.uid), { uid: true, headers: true }, { uid: true }));
    return Buffer.concat([head ? (head.headers ?? Buffer.alloc(0)) : Buffer.alloc(0), Buffer.from('\r\n')]);
  }
  const download = await imap(client.download(String(m.uid), undefined, { uid: true }));
  if (!download.content) throw Object.assign(new Error('message vanished before download'), { code: 'EMAIL.GONE' });
  // The connection failing mid-message is the infrastructure's, not the message's.
  download.content.on('error', (error) => retriable(error));
  return download.content;
}

/**
 * The raw message streamed from the server into the blob store, for an event whose text had to be
 * cut (the page's in-memory copies are gone by mapping time; this happens to few messages). The
 * server or the blob store failing is the infrastructure's: the page is retried.
 */
async function keepOriginal(client: ImapFlow, uid: number, deps: FolderDeps) {
  const download = await imap(client.download(String(uid), undefined, { uid: true }));
  if (!download.content) throw Object.assign(new Error('message vanished before download'), { code: 'EMAIL.GONE' });
  // No cap here: a message over EMAIL_MAX_MESSAGE_BYTES was parsed from its headers and has no body to cut.
  return deps.blobs.put(download.content).catch((error: unknown) => {
    throw retriable(error);
  });
}

async function downloadWhole(client: ImapFlow, uid: number): Promise<Buffer | undefined> {
  const download = await imap(client.download(String(uid), undefined, { uid: true }));
  if (!download.content) return undefined;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of download.content as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (error) {
    throw retriable(error);
  }
  return Buffer.concat(chunks);
}

function imap<T>(call: Promise<T>): Promise<T> {
  return call.catch((error: unknown) => {
    throw retriable(error);
  });
}
