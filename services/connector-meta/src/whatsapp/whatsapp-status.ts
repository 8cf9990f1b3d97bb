import { MESSAGE_STATUSES } from '@kanal/contracts';
import { META_CODES } from '../normalize/meta-codes';
import { compact, ItemFailure, type ItemSink } from '../normalize/normalized-batch';
import { providerTime } from '../normalize/provider-time';
import { WaIdentities } from './whatsapp-identities';
import { WA, type WaValueContext } from './whatsapp-message';
import { waErrorSchema, waStatusSchema } from './whatsapp-payload';

/**
 * One `statuses[]` item → `kanal.message.status.v1` on the message the business sent; the
 * recipient is the customer. In a group `recipient_id` is the group and the participant (when
 * named) is the recipient; each participant's status is an event of its own.
 */
export function mapWaStatus(sink: ItemSink, ctx: WaValueContext, raw: unknown): void {
  const parsed = waStatusSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ItemFailure(META_CODES.invalidItem, `status: ${issue?.path.join('.') || '(item)'} ${issue?.message}`);
  }
  const s = parsed.data;
  const status = (MESSAGE_STATUSES as readonly string[]).includes(s.status) ? s.status : undefined;
  if (!status)
    throw new ItemFailure(META_CODES.unknownStatus, `status "${s.status.slice(0, 32)}" is not one the contract knows`);
  const conversationRef = s.recipient_id ?? s.recipient_user_id;
  if (!conversationRef)
    throw new ItemFailure(META_CODES.noRecipient, 'status without recipient_id or recipient_user_id');
  const group = s.recipient_type === 'group';
  const recipient = new WaIdentities()
    .phone(group ? s.recipient_participant_id : s.recipient_id)
    .bsuid(s.recipient_user_id);
  const time = providerTime(s.timestamp, 'seconds', ctx.receivedAt);
  const error = s.errors?.[0];
  sink.add(
    'kanal.message.status.v1',
    {
      ...WA,
      accountId: ctx.accountId,
      // A status reports on a message the business sent.
      direction: 'outbound',
      externalId: s.id,
      conversationRef,
      occurredAt: time.at,
      receivedAt: ctx.receivedAt,
      target: { externalId: s.id },
      recipient: { identities: recipient.list },
      status,
      error: error
        ? {
            code: error.code === undefined ? undefined : String(error.code).slice(0, 64),
            message: (error.message ?? error.title)?.slice(0, 2_000),
          }
        : undefined,
      flags: compact({ ...recipient.flags, dateFallback: time.fallback, group }),
    },
    group && s.recipient_participant_id ? `${status}:${s.recipient_participant_id}` : status,
  );
}

/** A system-level `value.errors[]` entry: nothing to publish, and never ignored. */
export function providerErrorFailure(raw: unknown): ItemFailure {
  const parsed = waErrorSchema.safeParse(raw);
  const e = parsed.success ? parsed.data : {};
  const what = [e.code, e.title]
    .filter((v) => v !== undefined)
    .join(' ')
    .slice(0, 200);
  return new ItemFailure(META_CODES.providerError, `Meta reported an error${what ? `: ${what}` : ''}`);
}
