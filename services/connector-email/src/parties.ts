import {
  IdentityError,
  isStorableText,
  normalizeIdentityValue,
  prefixByUnits,
  type MessageData,
} from '@kanal/contracts';
import type { MailAddress, ParsedMail } from './mime/parsed-mail';
import { blankControls } from './text/control-chars';

type Party = MessageData['sender'];

export interface Parties {
  sender: Party;
  recipient: Party;
  /** The customer's address as the thread index keys it (subject fallback). */
  threadSender: string;
  /** An address the provider gave could not be normalized; the message was kept without it. */
  identityFallback: boolean;
}

export interface PartyContext {
  account: string;
  outbound: boolean;
  preferReplyTo: boolean;
  /** Bounces and abuse reports come from mail systems: no identity, so no contact is created. */
  mailSystem: boolean;
}

const MAX_IDENTITIES = 20;

/**
 * Who wrote and who received. The business side carries every address of the business the
 * message shows: the mailbox, the aliases it received this message for (the newest Delivered-To
 * and X-Original-To, and To/Cc addresses on the mailbox's own domain), and for outbound mail the
 * address it was sent from. A customer who copies a friend at another domain never makes the
 * friend "the business" (the unifier blocks business identities from ever linking customers).
 */
export function resolveParties(mail: ParsedMail, ctx: PartyContext): Parties {
  const domain = ctx.account.slice(ctx.account.lastIndexOf('@') + 1);
  const from = emailOf(mail.from);
  const business = new Set([ctx.account]);
  for (const raw of [mail.deliveredTo, mail.originalTo]) addTo(business, emailOf(raw ? { address: raw } : undefined));
  for (const a of [...mail.to, ...mail.cc]) {
    const value = emailOf(a);
    if (value && value !== from && value.endsWith(`@${domain}`)) business.add(value);
  }
  const businessParty = (address?: MailAddress): Party => ({
    ...(address?.name ? { displayName: clip(address.name) } : {}),
    identities: [...business].slice(0, MAX_IDENTITIES).map((value) => ({ type: 'email', value })),
  });

  if (ctx.outbound) {
    addTo(business, from);
    const customer = [...mail.to, ...mail.cc].find((a) => !business.has(emailOf(a) ?? ''));
    const to = emailOf(customer);
    return {
      sender: businessParty(mail.from),
      recipient: {
        ...(customer?.name ? { displayName: clip(customer.name) } : {}),
        identities: to ? [{ type: 'email', value: to }] : [],
      },
      threadSender: from ?? '',
      identityFallback: Boolean(customer?.address && !to),
    };
  }

  const replyTo = ctx.preferReplyTo ? emailOf(mail.replyTo) : undefined;
  const contact = replyTo ? mail.replyTo : mail.from;
  const value = ctx.mailSystem ? undefined : (replyTo ?? from);
  const rejected = (Boolean(mail.from) && !from) || (ctx.preferReplyTo && Boolean(mail.replyTo?.address) && !replyTo);
  const name = contact?.name ?? mail.from?.name;
  return {
    sender: { ...(name ? { displayName: clip(name) } : {}), identities: value ? [{ type: 'email', value }] : [] },
    recipient: businessParty(),
    // A From the address parser rejects still threads by subject: key it by the raw text.
    threadSender: from ?? (mail.from ? clip(mail.from.address || mail.from.name || '').toLowerCase() : ''),
    identityFallback: !ctx.mailSystem && rejected,
  };
}

export function emailOf(address: MailAddress | undefined): string | undefined {
  // An address no database can store (a NUL, half a surrogate pair) is rejected like a malformed one.
  if (!address?.address || !isStorableText(address.address)) return undefined;
  try {
    return normalizeIdentityValue('email', address.address);
  } catch (error) {
    if (error instanceof IdentityError) return undefined;
    throw error;
  }
}

function addTo(set: Set<string>, value: string | undefined): void {
  if (value) set.add(value);
}

const clip = (name: string) => prefixByUnits(blankControls(name).trim(), 256);
