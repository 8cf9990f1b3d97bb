import { IdentityError, MESSAGE_STATUSES, normalizeIdentityValue, type Identity } from '@kanal/contracts';
import { addEvent, emptyBatch, isoFromSeconds, type NormalizedBatch } from '../normalize/normalized-batch';
import { waContent } from './whatsapp-content';
import {
  waBodySchema,
  waContactSchema,
  waMessageSchema,
  waStatusSchema,
  waValueSchema,
  type WaContact,
  type WaMessage,
  type WaStatus,
} from './whatsapp-payload';

export interface NormalizeContext {
  receivedAt: string;
  defaultRegion: string;
}

const base = { channel: 'whatsapp', provider: 'whatsapp-cloud' } as const;

/**
 * Cloud API webhook body → inbound events. Every entry, change, message and status is visited
 * (never only `[0]`); an item that cannot be mapped is listed in `dropped` with its reason.
 */
export function toWhatsappEvents(body: unknown, ctx: NormalizeContext): NormalizedBatch {
  const batch = emptyBatch();
  const envelope = waBodySchema.parse(body);
  for (const entry of envelope.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') {
        batch.dropped.push({ reason: 'unsupported-field', detail: change.field });
        continue;
      }
      const value = waValueSchema.safeParse(change.value);
      if (!value.success) {
        batch.dropped.push({ reason: 'invalid-item', detail: 'change value without metadata.phone_number_id' });
        continue;
      }
      const accountId = value.data.metadata.phone_number_id;
      const contacts = (value.data.contacts ?? []).flatMap((c) => {
        const parsed = waContactSchema.safeParse(c);
        return parsed.success ? [parsed.data] : [];
      });
      for (const raw of value.data.messages ?? []) {
        const m = waMessageSchema.safeParse(raw);
        if (m.success) mapMessage(batch, accountId, m.data, contacts, ctx);
        else batch.dropped.push({ reason: 'invalid-item', accountId, detail: 'message without id/type/timestamp' });
      }
      for (const error of value.data.errors ?? []) {
        batch.dropped.push({ reason: 'provider-error', accountId, detail: `${error.code ?? ''} ${error.title ?? ''}`.trim() });
      }
      for (const raw of value.data.statuses ?? []) {
        const s = waStatusSchema.safeParse(raw);
        if (s.success) mapStatus(batch, accountId, s.data, ctx);
        else batch.dropped.push({ reason: 'invalid-item', accountId, detail: 'status without id/status/timestamp' });
      }
    }
  }
  return batch;
}

/**
 * Phone from `wa_id` (digits without `+`), BSUID as given; a phone is never derived from a BSUID.
 * A value that does not normalise is left out (the message is then dropped with a reason when it
 * has no identity left): one malformed id must not fail the whole delivery with a 500.
 */
function identities(waId: string | undefined, bsuid: string | undefined, ctx: NormalizeContext): Identity[] {
  const out: Identity[] = [];
  if (waId) {
    const phone = normalized('phone', `+${waId.replace(/^\+/, '')}`, ctx);
    if (phone) out.push({ type: 'phone', value: phone });
  }
  if (bsuid) {
    const value = normalized('whatsapp-bsuid', bsuid, ctx);
    if (value) out.push({ type: 'whatsapp-bsuid', value });
  }
  return out;
}

function normalized(type: 'phone' | 'whatsapp-bsuid', value: string, ctx: NormalizeContext): string | undefined {
  try {
    return normalizeIdentityValue(type, value, { defaultRegion: ctx.defaultRegion });
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    return undefined;
  }
}

function mapMessage(batch: NormalizedBatch, accountId: string, m: WaMessage, contacts: WaContact[], ctx: NormalizeContext) {
  // Names are joined by wa_id (or BSUID for username-only senders), never by array position.
  const contact = contacts.find((c) => (m.from && c.wa_id === m.from) || (m.from_user_id && c.user_id === m.from_user_id));
  const bsuid = m.from_user_id ?? contact?.user_id;
  const ids = identities(m.from, bsuid, ctx);
  const conversationRef = m.from ?? bsuid;
  if (!conversationRef || ids.length === 0) {
    batch.dropped.push({ reason: 'no-sender-identity', accountId, detail: m.id });
    return;
  }
  const common = {
    ...base,
    accountId,
    direction: 'inbound',
    externalId: m.id,
    conversationRef,
    occurredAt: isoFromSeconds(m.timestamp, ctx.receivedAt),
    receivedAt: ctx.receivedAt,
    sender: { displayName: contact?.profile?.name, username: contact?.profile?.username, identities: ids },
  };
  if (m.type === 'reaction' && m.reaction) {
    // No emoji means the customer removed their reaction.
    addEvent(batch, 'kanal.reaction.changed.v1', {
      ...common,
      target: { externalId: m.reaction.message_id },
      ...(m.reaction.emoji ? { emoji: m.reaction.emoji } : {}),
    });
    return;
  }
  const content = waContent(m);
  const flags = {
    ...(content.unsupported ? { unsupported: true } : {}),
    ...(m.context?.forwarded ? { forwarded: true } : {}),
  };
  const event = addEvent(batch, 'kanal.message.received.v1', {
    ...common,
    text: content.text,
    attachments: content.attachments,
    interactive: content.interactive,
    replyTo: m.context?.id ? { externalId: m.context.id } : undefined,
    flags: Object.keys(flags).length ? flags : undefined,
  });
  const items = content.attachments.flatMap((a, index) => (a.providerMediaId ? [{ index, providerMediaId: a.providerMediaId, mimeType: a.mimeType }] : []));
  if (event && items.length) batch.media.push({ message: event, items });
}

function mapStatus(batch: NormalizedBatch, accountId: string, s: WaStatus, ctx: NormalizeContext) {
  const status = (MESSAGE_STATUSES as readonly string[]).includes(s.status) ? s.status : undefined;
  const conversationRef = s.recipient_id ?? s.recipient_user_id;
  if (!status || !conversationRef) {
    batch.dropped.push({ reason: status ? 'no-recipient' : 'unknown-status', accountId, detail: s.status });
    return;
  }
  const error = s.errors?.[0];
  addEvent(
    batch,
    'kanal.message.status.v1',
    {
      ...base,
      accountId,
      // A status reports on a message the business sent.
      direction: 'outbound',
      externalId: s.id,
      conversationRef,
      occurredAt: isoFromSeconds(s.timestamp, ctx.receivedAt),
      receivedAt: ctx.receivedAt,
      target: { externalId: s.id },
      recipient: { identities: identities(s.recipient_id, s.recipient_user_id, ctx) },
      status,
      error: error ? { code: error.code === undefined ? undefined : String(error.code), message: error.message ?? error.title } : undefined,
    },
    status,
  );
}
