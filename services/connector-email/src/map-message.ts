import type { StoredBlob } from '@kanal/blob-store';
import {
  buildInboundEvent,
  checkEventTime,
  messageDataSchema,
  prefixByUnits,
  toStorableInbound,
  type Attachment,
  type Flags,
  type KanalEvent,
  type MessageData,
  type StorableInboundRefusal,
} from '@kanal/contracts';
import { classifyMail } from './classify/classify-mail';
import { headerDate, rawHeader, receivedDate } from './mime/header-access';
import { htmlToFullText, htmlToReplyText } from './mime/html-text';
import type { ParsedMail } from './mime/parsed-mail';
import { emailOf, resolveParties } from './parties';
import { dropControls } from './text/control-chars';
import { stripQuotes } from './text/strip-quotes';
import { resolveThread } from './threading/resolve-thread';
import type { ThreadEntry, ThreadIndex } from './threading/thread-index';

export const EVENT_SOURCE = 'kanal/connector-email';
/** The name of the attachment that holds the whole message when the event carries only part of its text. */
export const ORIGINAL_NAME = 'original.eml';

export interface MapContext {
  /** The mailbox's own address (the accountId). */
  account: string;
  preferReplyTo: boolean;
  /** The message was read from the mailbox's Sent folder: outbound, whoever the From names. */
  sentFolder?: boolean;
  /** The server's INTERNALDATE (absent for a plain .eml file). */
  internalDate?: Date;
  receivedAt: Date;
  threads: ThreadIndex;
  threadWindowDays: number;
  /**
   * Keeps the raw message (the .eml bytes) in the blob store. Called only when a text had to be
   * cut to the event's caps, so the whole original stays reachable from the event; a failure is
   * the infrastructure's (retriable), never the message's.
   */
  storeOriginal?: () => Promise<StoredBlob>;
}

export type EmailEvent = KanalEvent<'kanal.message.received.v1'> | KanalEvent<'kanal.message.sent.v1'>;

export class InvalidEmailEventError extends Error {
  readonly code = 'EMAIL.INVALID_EVENT';
}

/** An id the event needs cannot be stored, or the message fits no record: `EMAIL.<refusal>` (the field). */
export class NotStorableEmailError extends Error {
  readonly code: `EMAIL.${StorableInboundRefusal}`;
  constructor(refusal: StorableInboundRefusal, message: string) {
    super(message);
    this.code = `EMAIL.${refusal}`;
  }
}

/** Parsed mail → canonical message event (+ the thread-index entry to remember once published). */
export async function mapMessage(
  mail: ParsedMail,
  ctx: MapContext,
): Promise<{ event: EmailEvent; entry: ThreadEntry }> {
  const flags: Flags = {};
  const messageId = mail.messageId ?? `${mail.headerHash.slice(0, 40)}@synthetic.kanal`;
  if (!mail.messageId) flags.syntheticId = true;

  // A missing, unparsable or out-of-range Date (before 1970, more than a day ahead) never becomes
  // 1970 or "now": the server's arrival time does.
  let occurredAt = usableTime(headerDate(mail));
  if (!occurredAt) {
    flags.dateFallback = true;
    occurredAt = usableTime(ctx.internalDate) ?? usableTime(receivedDate(mail)) ?? ctx.receivedAt;
  }
  const classification = classifyMail({
    header: (name) => rawHeader(mail, name),
    fromAddress: mail.from?.address,
    subject: mail.subject,
    deliveryReport: mail.deliveryReport,
    feedbackReport: mail.feedbackReport,
  });
  const outbound = Boolean(ctx.sentFolder) || emailOf(mail.from) === ctx.account;
  const mailSystem = classification.bounce || classification.feedbackReport;
  const parties = resolveParties(mail, {
    account: ctx.account,
    outbound,
    preferReplyTo: ctx.preferReplyTo,
    mailSystem,
  });
  const subject = mail.subject === undefined ? undefined : prefixByUnits(dropControls(mail.subject), 2_000);
  const thread = await resolveThread(
    {
      account: ctx.account,
      messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      subject,
      sender: parties.threadSender,
      occurredAt,
      windowDays: ctx.threadWindowDays,
    },
    ctx.threads,
  );

  const body = bodyText(mail);
  if (mail.unknownCharsets.length > 0 || /\uFFFD/.test(`${subject ?? ''}${body.full}${mail.from?.name ?? ''}`))
    flags.charsetFallback = true;
  if (parties.identityFallback) flags.identityFallback = true;
  if (classification.autoReply) flags.autoReply = true;
  if (classification.bounce) flags.bounce = true;
  if (classification.feedbackReport) flags.feedbackReport = true;
  if (classification.bulk) flags.bulk = true;
  if (classification.autoReply || mailSystem || classification.bulk) flags.noAutoAck = true;
  if (thread.guessed) flags.threadGuessed = true;
  if (thread.forwarded) flags.forwarded = true;
  if (mail.calendarInvite) flags.calendarInvite = true;
  if (mail.oversizeParts > 0) flags.oversize = true;
  if (mail.structureFallback) flags.structureFallback = true;
  if (body.htmlFallback) flags.htmlFallback = true;

  const data: MessageData = {
    channel: 'email',
    provider: 'imap',
    accountId: ctx.account,
    direction: outbound ? 'outbound' : 'inbound',
    externalId: messageId,
    conversationRef: thread.root,
    occurredAt: occurredAt.toISOString(),
    receivedAt: ctx.receivedAt.toISOString(),
    sender: parties.sender,
    recipient: parties.recipient,
    // Whole here: toStorableInbound cuts them to the caps below, never inside a character.
    ...(body.reply ? { text: body.reply } : {}),
    ...(body.full ? { fullText: body.full } : {}),
    ...(subject ? { subject } : {}),
    attachments: mail.attachments.slice(0, 100),
    email: {
      messageId,
      ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
      references: thread.references.slice(-500),
    },
    ...(mailSystem && mail.bouncedMessageId ? { target: { externalId: mail.bouncedMessageId } } : {}),
    ...(Object.keys(flags).length ? { flags } : {}),
  };
  const checked = messageDataSchema.safeParse(await storableData(data, ctx));
  if (!checked.success)
    throw new InvalidEmailEventError(`event does not match the contract: ${checked.error.issues[0]?.message}`);
  const type = outbound ? 'kanal.message.sent.v1' : 'kanal.message.received.v1';
  const event = buildInboundEvent(type, checked.data, { source: EVENT_SOURCE }) as EmailEvent;
  const entry: ThreadEntry = {
    messageId,
    root: thread.root,
    baseSubject: thread.baseSubject,
    sender: parties.threadSender,
    occurredAt,
  };
  return { event, entry };
}

/**
 * The shared step (toStorableInbound): texts repaired and cut to the caps, flagged. A cut body
 * (`textTruncated`, and `truncated` as this connector has always called it) references the whole
 * message: the raw .eml is kept in the blob store and attached as `original.eml`. Only a message
 * without a storable id, or over every cap with its texts cut, is refused (a dead letter).
 */
async function storableData(data: MessageData, ctx: MapContext): Promise<MessageData> {
  const options = { receivedAt: ctx.receivedAt };
  let result = toStorableInbound(data, options);
  if (result.ok && result.truncated && ctx.storeOriginal) {
    const blob = await ctx.storeOriginal();
    const original: Attachment = {
      kind: 'other',
      mimeType: 'message/rfc822',
      name: ORIGINAL_NAME,
      size: blob.size,
      sha256: blob.sha256,
      blobRef: blob.blobRef,
    };
    result = toStorableInbound(data, { ...options, original });
  }
  if (!result.ok) throw new NotStorableEmailError(result.refusal, result.message);
  if (result.truncated) result.data.flags = { ...result.data.flags, truncated: true };
  return result.data;
}

/** A date Kanal can use as an event time (1970 … now + 1 day), else undefined. */
function usableTime(date: Date | undefined): Date | undefined {
  if (!date || Number.isNaN(date.getTime())) return undefined;
  return checkEventTime(date.toISOString()).ok ? date : undefined;
}

function bodyText(mail: ParsedMail): { full: string; reply: string; htmlFallback?: boolean } {
  if (mail.text?.trim()) return { full: dropControls(mail.text).trim(), reply: stripQuotes(dropControls(mail.text)) };
  if (!mail.html) return { full: '', reply: '' };
  const full = htmlToFullText(mail.html);
  const reply = htmlToReplyText(mail.html);
  return {
    full: dropControls(full.text),
    reply: stripQuotes(dropControls(reply.text)),
    ...(full.fallback || reply.fallback ? { htmlFallback: true } : {}),
  };
}
