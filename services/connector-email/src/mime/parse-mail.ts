import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MailParser, type AddressObject, type AttachmentStream, type MessageText } from 'mailparser';
import type { BlobStore } from '@kanal/blob-store';
import { CharsetGuard } from './charset-guard';
import { cleanId } from './message-id';
import type { MailAddress, ParsedMail } from './parsed-mail';
import { storeAttachment } from './store-attachment';

export interface ParseOptions {
  blobs: BlobStore;
  maxAttachmentBytes: number;
  maxMessageBytes: number;
  fallbackCharset: string;
}

// Headers a relay adds or rewrites; left out of the synthetic-id hash so a copy of the same
// message in another folder or after a UIDVALIDITY reset hashes the same.
const TRACE_HEADERS = new Set(['received', 'return-path', 'delivered-to', 'x-original-to', 'status', 'x-uid', 'x-keywords']);

/**
 * Streams one raw message through the MIME parser: text and HTML are kept, every attachment is
 * streamed into the blob store (never buffered whole), so memory stays bounded for any size.
 */
export async function parseMail(source: Readable | Buffer, options: ParseOptions): Promise<ParsedMail> {
  const guard = new CharsetGuard(options.fallbackCharset);
  const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true, keepDeliveryStatus: true });
  const mail: ParsedMail = {
    headers: new Map(),
    headerLines: [],
    to: [],
    references: [],
    attachments: [],
    deliveryReport: false,
    calendarInvite: false,
    unknownCharsets: guard.replaced,
    oversizeParts: 0,
    headerHash: '',
  };
  const pending: Array<Promise<void>> = [];
  const budget = { remaining: options.maxMessageBytes };
  parser.on('headers', (headers: Map<string, unknown>) => {
    mail.headers = headers;
    const ct = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
    mail.deliveryReport = ct?.value === 'multipart/report' && /delivery-status/i.test(ct.params?.['report-type'] ?? '');
  });
  parser.on('headerLines', (lines: Array<{ key: string; line: string }>) => {
    mail.headerLines = lines;
    const hash = createHash('sha256');
    for (const l of lines) if (!TRACE_HEADERS.has(l.key)) hash.update(`${l.line}\n`);
    mail.headerHash = hash.digest('hex');
  });
  parser.on('data', (part: AttachmentStream | MessageText) => {
    if (part.type === 'text') {
      mail.text = part.text;
      mail.html = typeof part.html === 'string' ? part.html : undefined;
      return;
    }
    pending.push(
      storeAttachment(part, { ...options, budget }).then((stored) => {
        if (stored.bouncedMessageId) mail.bouncedMessageId ??= stored.bouncedMessageId;
        if (stored.deliveryStatus) mail.deliveryReport = true;
        if (stored.calendar) mail.calendarInvite = true;
        if (stored.oversize) mail.oversizeParts++;
        mail.attachments.push(stored.attachment);
      }),
    );
  });
  if (Buffer.isBuffer(source)) {
    // In-memory source (small messages fetched per page): no stream plumbing per message.
    const ended = new Promise<void>((resolve, reject) => parser.once('end', resolve).once('error', reject));
    parser.end(guard.rewrite(source));
    await ended;
  } else {
    await pipeline(source, guard, parser);
  }
  await Promise.all(pending);

  const h = mail.headers;
  mail.subject = typeof h.get('subject') === 'string' ? (h.get('subject') as string) : undefined;
  mail.from = firstAddress(h.get('from') as AddressObject | undefined);
  mail.replyTo = firstAddress(h.get('reply-to') as AddressObject | undefined);
  mail.to = allAddresses(h.get('to') as AddressObject | AddressObject[] | undefined);
  mail.messageId = cleanId(h.get('message-id'));
  mail.inReplyTo = cleanId(h.get('in-reply-to'));
  const refs = h.get('references');
  mail.references = (Array.isArray(refs) ? refs : typeof refs === 'string' ? refs.split(/\s+/) : [])
    .map(cleanId)
    .filter((r): r is string => Boolean(r));
  mail.attachments = dedupeCalendar(mail.attachments);
  return mail;
}

function allAddresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = Array.isArray(value) ? value : value ? [value] : [];
  return objects
    .flatMap((o) => o.value.flatMap((a) => (a.group ? a.group : [a])))
    .filter((a) => a.address)
    .map((a) => ({ address: a.address!, ...(a.name ? { name: a.name } : {}) }));
}

function firstAddress(value: AddressObject | undefined): MailAddress | undefined {
  return allAddresses(value)[0];
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
