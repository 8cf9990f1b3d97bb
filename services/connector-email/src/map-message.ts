import {
  IdentityError,
  buildInboundEvent,
  messageDataSchema,
  normalizeIdentityValue,
  type Flags,
  type KanalEvent,
  type MessageData,
} from '@kanal/contracts';
import { classifyMail } from './classify/classify-mail';
import { headerDate, rawHeader, receivedDate } from './mime/header-access';
import { htmlToFullText, htmlToReplyText } from './mime/html-text';
import type { MailAddress, ParsedMail } from './mime/parsed-mail';
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
export async function mapMessage(mail: ParsedMail, ctx: MapContext): Promise<{ event: EmailEvent; entry: ThreadEntry }> {
  const flags: Flags = {};
  const messageId = mail.messageId ?? `${mail.headerHash.slice(0, 40)}@synthetic.kanal`;
  if (!mail.messageId) flags.syntheticId = true;

  let occurredAt = headerDate(mail);
  if (!occurredAt) {
    flags.dateFallback = true;
    occurredAt = ctx.internalDate ?? receivedDate(mail) ?? new Date(0);
  }
  const classification = classifyMail({
    header: (name) => rawHeader(mail, name),
    fromAddress: mail.from?.address,
    subject: mail.subject,
    deliveryReport: mail.deliveryReport,
  });
  const fromAddress = emailOf(mail.from);
  const outbound = fromAddress === ctx.account;
  const contact = ctx.preferReplyTo && mail.replyTo && !outbound ? mail.replyTo : mail.from;
  // A bounce's sender is a mail system, never a customer: no identity, so no contact is created.
  const senderId = classification.bounce ? undefined : emailOf(contact);
  const thread = await resolveThread(
    {
      account: ctx.account,
      messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      subject: mail.subject,
      sender: fromAddress ?? '',
      occurredAt,
      windowDays: ctx.threadWindowDays,
    },
    ctx.threads,
  );

  const body = bodyText(mail);
  if (mail.unknownCharsets.length > 0 || /\uFFFD/.test(`${mail.subject ?? ''}${body.full}`)) flags.charsetFallback = true;
  if (classification.autoReply) flags.autoReply = true;
  if (classification.bounce) flags.bounce = true;
  if (classification.bulk) flags.bulk = true;
  if (classification.autoReply || classification.bounce || classification.bulk) flags.noAutoAck = true;
  if (thread.guessed) flags.threadGuessed = true;
  if (thread.forwarded) flags.forwarded = true;
  if (mail.calendarInvite) flags.calendarInvite = true;
  if (mail.oversizeParts > 0) flags.oversize = true;
  if (body.full.length > MAX_FULL_TEXT || body.reply.length > MAX_TEXT) flags.truncated = true;

  const recipientAddress = outbound ? emailOf(mail.to[0]) : ctx.account;
  const data: MessageData = {
    channel: 'email',
    provider: 'imap',
    accountId: ctx.account,
    direction: outbound ? 'outbound' : 'inbound',
    externalId: messageId,
    conversationRef: thread.root,
    occurredAt: occurredAt.toISOString(),
    receivedAt: ctx.receivedAt.toISOString(),
    sender: party(contact, senderId),
    recipient: party(outbound ? mail.to[0] : undefined, recipientAddress),
    ...(body.reply ? { text: body.reply.slice(0, MAX_TEXT) } : {}),
    ...(body.full ? { fullText: body.full.slice(0, MAX_FULL_TEXT) } : {}),
    ...(mail.subject ? { subject: mail.subject.slice(0, 2_000) } : {}),
    attachments: mail.attachments.slice(0, 100),
    email: { messageId, ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}), references: thread.references.slice(-500) },
    ...(classification.bounce && mail.bouncedMessageId ? { target: { externalId: mail.bouncedMessageId } } : {}),
    ...(Object.keys(flags).length ? { flags } : {}),
  };
  const checked = messageDataSchema.safeParse(data);
  if (!checked.success) throw new InvalidEmailEventError(`event does not match the contract: ${checked.error.issues[0]?.message}`);
  const type = outbound ? 'kanal.message.sent.v1' : 'kanal.message.received.v1';
  const event = buildInboundEvent(type, checked.data, { source: EVENT_SOURCE }) as EmailEvent;
  const entry: ThreadEntry = { messageId, root: thread.root, baseSubject: thread.baseSubject, sender: fromAddress ?? '', occurredAt };
  return { event, entry };
}

function bodyText(mail: ParsedMail): { full: string; reply: string } {
  if (mail.text?.trim()) return { full: mail.text.trim(), reply: stripQuotes(mail.text) };
  if (mail.html) return { full: htmlToFullText(mail.html), reply: stripQuotes(htmlToReplyText(mail.html)) };
  return { full: '', reply: '' };
}

function emailOf(address: MailAddress | undefined): string | undefined {
  if (!address?.address) return undefined;
  try {
    return normalizeIdentityValue('email', address.address);
  } catch (error) {
    if (error instanceof IdentityError) return undefined;
    throw error;
  }
}

function party(address: MailAddress | undefined, identity: string | undefined): MessageData['sender'] {
  return {
    ...(address?.name ? { displayName: address.name.slice(0, 256) } : {}),
    identities: identity ? [{ type: 'email', value: identity }] : [],
  };
}
