import type { Identity } from '@kanal/contracts';
import { META_CODES, SKIP_REASONS, type SkipReason } from '../normalize/meta-codes';
import { compact, ItemFailure, type ItemSink } from '../normalize/normalized-batch';
import { flatMetadata, mergeMetadata } from '../normalize/provider-metadata';
import { providerTime } from '../normalize/provider-time';
import { waContent } from './whatsapp-content';
import { WaIdentities } from './whatsapp-identities';
import { waMessageSchema, type WaContact, type WaMessage } from './whatsapp-payload';

/** What every item of one change value shares. */
export interface WaValueContext {
  accountId: string;
  /** The business's own number (`display_phone_number`), and whether it had to be left out. */
  business: { identities: Identity[]; fallback: boolean };
  contacts: WaContact[];
  receivedAt: string;
}

export const WA = { channel: 'whatsapp', provider: 'whatsapp-cloud' } as const;

/** The contact a message names: joined by `wa_id` (or BSUID for username-only senders), never by position. */
export function contactOf(m: { from?: string; from_user_id?: string }, contacts: WaContact[]): WaContact | undefined {
  return contacts.find((c) => (m.from && c.wa_id === m.from) || (m.from_user_id && c.user_id === m.from_user_id));
}

/**
 * One `messages[]` item (or, with `echo`, one `message_echoes[]` item: a message the business sent
 * from the WhatsApp Business app) → its event. Edits and revokes change the message they name;
 * every other type becomes a message, a placeholder when the type is unknown.
 */
export function mapWaMessage(sink: ItemSink, ctx: WaValueContext, raw: unknown, echo = false): SkipReason | void {
  const parsed = waMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ItemFailure(META_CODES.invalidItem, `message: ${issue?.path.join('.') || '(item)'} ${issue?.message}`);
  }
  const m = parsed.data;
  if (m.type === 'request_welcome') return SKIP_REASONS.requestWelcome;

  const contact = echo ? undefined : contactOf(m, ctx.contacts);
  const phone = echo ? m.to : m.from;
  const bsuid = echo ? undefined : (m.from_user_id ?? contact?.user_id);
  // A username sender's `from` may be left out while their contact (joined by BSUID) still has the number.
  const customer = new WaIdentities().phone(phone ?? contact?.wa_id).bsuid(bsuid);
  // "<name> changed from <old> to <new>": WhatsApp itself says both numbers are this customer's.
  if (m.type === 'system') customer.phone(m.system?.new_wa_id);
  const conversationRef = m.group_id ?? phone ?? bsuid;
  if (!conversationRef) throw new ItemFailure(META_CODES.noSenderIdentity, 'message without from or a BSUID');

  const time = providerTime(m.timestamp, 'seconds', ctx.receivedAt);
  const customerParty = {
    displayName: contact?.profile?.name?.slice(0, 256),
    username: contact?.profile?.username?.slice(0, 256),
    identities: customer.list,
  };
  const businessParty = { identities: ctx.business.identities };
  const flags = {
    ...customer.flags,
    ...(ctx.business.fallback ? { identityFallback: true } : {}),
    ...(time.fallback ? { dateFallback: true } : {}),
    ...(m.group_id ? { group: true } : {}),
  };
  const common = {
    ...WA,
    accountId: ctx.accountId,
    direction: echo ? 'outbound' : 'inbound',
    externalId: m.id,
    conversationRef,
    occurredAt: time.at,
    receivedAt: ctx.receivedAt,
    ...(echo
      ? { sender: businessParty, recipient: customerParty }
      : { sender: customerParty, recipient: businessParty }),
  };
  if (m.type === 'reaction') return reaction(sink, m, common, flags);
  if (m.type === 'edit') return edit(sink, m, common, flags);
  if (m.type === 'revoke') {
    if (!m.revoke) throw new ItemFailure(META_CODES.invalidItem, 'revoke without original_message_id');
    return void sink.add(
      'kanal.message.deleted.v1',
      { ...common, target: { externalId: m.revoke.original_message_id }, flags: compact(flags) },
      'deleted',
    );
  }

  const content = waContent(m);
  const event = sink.add(echo ? 'kanal.message.sent.v1' : 'kanal.message.received.v1', {
    ...common,
    text: content.text,
    fullText: content.fullText,
    attachments: content.attachments,
    interactive: content.interactive,
    replyTo: m.context?.id ? { externalId: m.context.id } : undefined,
    group: m.group_id ? { id: m.group_id.slice(0, 1_024) } : undefined,
    metadata: mergeMetadata(
      m.referral ? flatMetadata('referral', m.referral) : undefined,
      m.errors?.[0] ? errorMetadata(m.errors[0]) : undefined,
    ),
    flags: compact({ ...flags, ...content.flags, ...(m.context?.forwarded ? { forwarded: true } : {}) }),
  });
  const items = content.attachments.flatMap((a, index) =>
    a.providerMediaId ? [{ index, providerMediaId: a.providerMediaId, mimeType: a.mimeType }] : [],
  );
  sink.queueMedia(event, items);
}

type Common = Record<string, unknown>;

function reaction(sink: ItemSink, m: WaMessage, common: Common, flags: Record<string, boolean>) {
  if (!m.reaction) throw new ItemFailure(META_CODES.invalidItem, 'reaction without message_id');
  // No emoji means the customer removed their reaction.
  sink.add('kanal.reaction.changed.v1', {
    ...common,
    target: { externalId: m.reaction.message_id },
    ...(m.reaction.emoji ? { emoji: m.reaction.emoji } : {}),
    flags: compact(flags),
  });
}

/** An edit carries the whole new content: its text, or the new caption of a media message. */
function edit(sink: ItemSink, m: WaMessage, common: Common, flags: Record<string, boolean>) {
  if (!m.edit) throw new ItemFailure(META_CODES.invalidItem, 'edit without original_message_id');
  const text = m.edit.message ? (waContent(m.edit.message).text ?? '') : '';
  sink.add(
    'kanal.message.edited.v1',
    { ...common, target: { externalId: m.edit.original_message_id }, text, flags: compact(flags) },
    'edit',
  );
}

function errorMetadata(error: NonNullable<WaMessage['errors']>[number]): Record<string, string> {
  return flatMetadata('providerError', { code: error.code, title: error.title });
}
