import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { MailParser, type AddressObject, type AttachmentStream, type MessageText } from 'mailparser';
import type { BlobStore } from '@kanal/blob-store';
import { CharsetGuard } from './charset-guard';
import { rawHeader } from './header-access';
import { cleanId } from './message-id';
import type { MailAddress, ParsedMail } from './parsed-mail';
import { storeAttachment } from './store-attachment';
import { hookDecoder, looksSingleByte } from './utf8-or-fallback';

export interface ParseOptions {
  blobs: BlobStore;
  maxAttachmentBytes: number;
  maxMessageBytes: number;
  fallbackCharset: string;
}

// Headers a relay adds or rewrites; left out of the synthetic-id hash so a copy of the same
// message in another folder or after a UIDVALIDITY reset hashes the same.
const TRACE_HEADERS = new Set([
  'received',
  'return-path',
  'delivered-to',
  'x-original-to',
  'status',
  'x-uid',
  'x-keywords',
]);

/**
 * Streams one raw message through the MIME parser: text and HTML are kept, every attachment is
 * streamed into the blob store (never buffered whole), so memory stays bounded for any size.
 * A parser error rejects as it is (the caller dead-letters the message); errors of the source
 * stream and the blob store are the caller's to mark as retriable.
 */
export async function parseMail(source: Readable | Buffer, options: ParseOptions): Promise<ParsedMail> {
  const guard = new CharsetGuard(options.fallbackCharset);
  const parser = new MailParser({
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    keepDeliveryStatus: true,
  });
  hookDecoder(parser, options.fallbackCharset, () => guard.replaced.push('utf-8-body'));
  const mail: ParsedMail = {
    headers: new Map(),
    headerLines: [],
    to: [],
    cc: [],
    references: [],
    attachments: [],
    deliveryReport: false,
    feedbackReport: false,
    structureFallback: false,
    calendarInvite: false,
    unknownCharsets: guard.replaced,
    oversizeParts: 0,
    headerHash: '',
  };
  const pending: Array<Promise<void>> = [];
  const open = new Set<AttachmentStream['content']>();
  const budget = { remaining: options.maxMessageBytes };
  parser.on('headers', (headers: Map<string, unknown>) => {
    mail.headers = headers;
    const ct = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
    const report = ct?.value === 'multipart/report' ? (ct.params?.['report-type'] ?? '') : '';
    mail.deliveryReport = /delivery-status/i.test(report);
    mail.feedbackReport = /feedback-report/i.test(report);
  });
  parser.on('headerLines', (lines: Array<{ key: string; line: string }>) => {
    mail.headerLines = lines;
    mail.headerHash = headerHash(lines, guard.restore);
  });
  parser.on('data', (part: AttachmentStream | MessageText) => {
    if (part.type === 'text') {
      mail.text = part.text;
      mail.html = typeof part.html === 'string' ? part.html : undefined;
      return;
    }
    open.add(part.content);
    // Stores finish in any order; the event lists the parts in message order.
    const slot = mail.attachments.length;
    mail.attachments.length++;
    const stored = storeAttachment(part, { ...options, budget }).then((result) => {
      open.delete(part.content);
      if (result.bouncedMessageId) mail.bouncedMessageId ??= result.bouncedMessageId;
      if (result.deliveryStatus) mail.deliveryReport = true;
      if (result.feedbackReport) mail.feedbackReport = true;
      if (result.calendar) mail.calendarInvite = true;
      if (result.oversize) mail.oversizeParts++;
      mail.attachments[slot] = result.attachment;
    });
    // Awaited once the parser is done; until then a failed store must not count as unhandled.
    stored.catch(() => undefined);
    pending.push(stored);
  });
  try {
    if (Buffer.isBuffer(source)) {
      // In-memory source (small messages fetched per page): no stream plumbing per message.
      const ended = new Promise<void>((resolve, reject) => parser.once('end', resolve).once('error', reject));
      parser.end(guard.rewrite(source));
      await ended;
    } else {
      await pipeline(source, guard, parser);
    }
  } catch (error) {
    // A part the parser will never finish: abort its store (no temp file stays) before failing.
    for (const content of open) content.destroy(error as Error);
    await Promise.all(pending.map((p) => p.catch(() => undefined)));
    throw error;
  }
  await Promise.all(pending);

  const h = mail.headers;
  mail.subject = typeof h.get('subject') === 'string' ? (h.get('subject') as string) : undefined;
  mail.from = allAddresses(h.get('from') as AddressObject | undefined, true)[0];
  mail.replyTo = allAddresses(h.get('reply-to') as AddressObject | undefined)[0];
  mail.to = allAddresses(h.get('to') as AddressObject | AddressObject[] | undefined);
  mail.cc = allAddresses(h.get('cc') as AddressObject | AddressObject[] | undefined);
  // Relays prepend: the first of these is the one our own MTA wrote (a customer's own forwarding
  // hop leaves its Delivered-To further down, and that address is the customer's, not ours).
  mail.deliveredTo = bareAddress(rawHeader(mail, 'delivered-to'));
  mail.originalTo = bareAddress(rawHeader(mail, 'x-original-to'));
  mail.messageId = cleanId(h.get('message-id'));
  mail.inReplyTo = cleanId(h.get('in-reply-to'));
  const refs = h.get('references');
  mail.references = (Array.isArray(refs) ? refs : typeof refs === 'string' ? refs.split(/\s+/) : [])
    .map(cleanId)
    .filter((r): r is string => Boolean(r));
  mail.attachments = dedupeCalendar(mail.attachments);
  if (!mail.text?.trim() && !mail.html && mail.attachments.length === 0 && guard.preamble.length > 0)
    recoverPreamble(mail, guard, options.fallbackCharset);
  return mail;
}

/** A multipart whose declared boundary never comes: the parser finds no part, the body is all there is. */
function recoverPreamble(mail: ParsedMail, guard: CharsetGuard, fallback: string): void {
  const bytes = Buffer.concat(guard.preamble);
  const single = looksSingleByte(bytes);
  if (single) guard.replaced.push('preamble');
  const text = (single ? iconv.decode(bytes, fallback) : bytes.toString('utf8')).replace(/\r\n?/g, '\n').trim();
  if (!text) return;
  mail.text = text;
  mail.structureFallback = true;
}

/** The hash over the header lines as they arrived (before the charset guard's repairs). */
function headerHash(lines: Array<{ key: string; line: string }>, restore: Map<string, string | null>): string {
  const hash = createHash('sha256');
  for (const l of lines) {
    if (TRACE_HEADERS.has(l.key)) continue;
    const line = restore.has(l.line) ? restore.get(l.line) : l.line;
    if (line !== null && line !== undefined) hash.update(`${line}\n`);
  }
  return hash.digest('hex');
}

function allAddresses(value: AddressObject | AddressObject[] | undefined, keepNameOnly = false): MailAddress[] {
  const objects = Array.isArray(value) ? value : value ? [value] : [];
  return objects
    .flatMap((o) => o.value.flatMap((a) => (a.group ? a.group : [a])))
    .filter((a) => a.address || (keepNameOnly && a.name))
    .map((a) => ({ address: a.address ?? '', ...(a.name ? { name: a.name } : {}) }));
}

function bareAddress(raw: string | undefined): string | undefined {
  const value = raw && (/<([^<>]+)>/.exec(raw)?.[1] ?? raw.split(/[\s,;]/)[0]);
  return value?.trim() || undefined;
}

const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics']);

/** iMIP invites often come twice (the alternative part and an .ics attachment): keep one. */
function dedupeCalendar(attachments: ParsedMail['attachments']): ParsedMail['attachments'] {
  const seen = new Set<string>();
  return attachments.filter((a) => {
    if (!CALENDAR_TYPES.has(a.mimeType ?? '') || !a.sha256) return true;
    if (seen.has(a.sha256)) return false;
    seen.add(a.sha256);
    return true;
  });
}
