import { buildInboundEvent, messageDataSchema, type Flags, type KanalEvent, type MessageData } from '@kanal/contracts';
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
const MAX_TEXT = 100_000;
// Kafka records stay under ~1 MB; the full body beyond this is in the mailbox, not the event.
const MAX_FULL_TEXT = 200_000;

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
}

export type EmailEvent = KanalEvent<'kanal.message.received.v1'> | KanalEvent<'kanal.message.sent.v1'>;

export class InvalidEmailEventError extends Error {
  readonly code = 'EMAIL.INVALID_EVENT';
}

/** Parsed mail → canonical message event (+ the thread-index entry to remember once published). */
export async function mapMessage(
  mail: ParsedMail,
  ctx: MapContext,
): Promise<{ event: EmailEvent; entry: ThreadEntry }> {
  const flags: Flags = {};
  const messageId = mail.messageId ?? `${mail.headerHash.slice(0, 40)}@synthetic.kanal`;
  if (!mail.messageId) flags.syntheticId = true;

  // A missing or unparsable Date never becomes 1970 or "now": the server's arrival time does.
  let occurredAt = headerDate(mail);
  if (!occurredAt) {
    flags.dateFallback = true;
    occurredAt = ctx.internalDate ?? receivedDate(mail) ?? ctx.receivedAt;
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
  const subject = mail.subject === undefined ? undefined : dropControls(mail.subject).slice(0, 2_000);
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
  if (body.full.length > MAX_FULL_TEXT || body.reply.length > MAX_TEXT) flags.truncated = true;

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
    ...(body.reply ? { text: body.reply.slice(0, MAX_TEXT) } : {}),
    ...(body.full ? { fullText: body.full.slice(0, MAX_FULL_TEXT) } : {}),
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
  const checked = messageDataSchema.safeParse(data);
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
