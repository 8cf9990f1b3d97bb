import { changePayload, entryPayload, isObject, valueItemPayload, type Json } from '../normalize/item-payload';
import { META_CODES, SKIP_REASONS } from '../normalize/meta-codes';
import type { NormalizeOptions } from '../normalize/normalize-webhook';
import {
  deadLetter,
  emptyBatch,
  mapItem,
  skipItem,
  type ItemRef,
  type NormalizedBatch,
} from '../normalize/normalized-batch';
import { envelopeOf } from '../normalize/webhook-envelope';
import { businessIdentities } from './whatsapp-identities';
import { mapWaMessage, type WaValueContext } from './whatsapp-message';
import { waContactSchema, waValueSchema } from './whatsapp-payload';
import { mapWaStatus, providerErrorFailure } from './whatsapp-status';

/**
 * Change fields that are by design not messages (account, template, quality, payment and group
 * administration updates, consent preferences, contact-book sync): counted skips. A field not
 * listed here and not mapped is dead-lettered, because it may carry messages (`history`, `calls`).
 */
export const NON_MESSAGE_FIELDS: ReadonlySet<string> = new Set([
  'account_alerts',
  'account_review_update',
  'account_settings_update',
  'account_update',
  'automatic_events',
  'business_capability_update',
  'business_status_update',
  'flows',
  'group_lifecycle_update',
  'group_participants_update',
  'group_settings_update',
  'group_status_update',
  'message_template_components_update',
  'message_template_quality_update',
  'message_template_status_update',
  'partner_solutions',
  'payment_configuration_update',
  'phone_number_name_update',
  'phone_number_quality_update',
  'security',
  'smb_app_state_sync',
  'template_category_update',
  'tracking_events',
  'user_preferences',
]);

/**
 * Cloud API webhook body → events. Every entry, change and item of every list is visited (never
 * only `[0]`), and each ends as events, a counted skip or a dead letter holding the body reduced
 * to that item. Only a body that is not a WhatsApp webhook at all throws (answered 400).
 */
export function toWhatsappEvents(body: unknown, options: NormalizeOptions): NormalizedBatch {
  const batch = emptyBatch();
  const envelope = envelopeOf(body, 'WhatsApp Cloud API', 'whatsapp_business_account');
  envelope.entries.forEach((entry, e) => {
    const whole: ItemRef = { locator: `entry[${e}]`, payload: () => entryPayload(envelope.body, entry) };
    if (!isObject(entry) || (entry['changes'] !== undefined && !Array.isArray(entry['changes']))) {
      return deadLetter(batch, whole, META_CODES.invalidItem, 'entry without a changes list');
    }
    // The App Dashboard's "Test" button sends sample content under entry id 0.
    if (entry['id'] === '0') return skipItem(batch, whole, SKIP_REASONS.testWebhook);
    const changes = (entry['changes'] as unknown[] | undefined) ?? [];
    changes.forEach((change, c) =>
      mapChange(batch, envelope.body, entry, change, `entry[${e}].changes[${c}]`, options),
    );
  });
  return batch;
}

function mapChange(
  batch: NormalizedBatch,
  body: Json,
  entry: Json,
  change: unknown,
  at: string,
  options: NormalizeOptions,
) {
  const value = isObject(change) && isObject(change['value']) ? change['value'] : undefined;
  const rawAccount = isObject(value?.['metadata']) ? value['metadata']['phone_number_id'] : undefined;
  const whole: ItemRef = {
    ...(typeof rawAccount === 'string' && rawAccount ? { accountId: rawAccount } : {}),
    locator: at,
    payload: () => changePayload(body, entry, change),
  };
  if (!isObject(change) || typeof change['field'] !== 'string') {
    return deadLetter(batch, whole, META_CODES.invalidItem, 'change without a field');
  }
  const field = change['field'];
  if (field !== 'messages' && field !== 'smb_message_echoes') {
    if (NON_MESSAGE_FIELDS.has(field)) return skipItem(batch, whole, SKIP_REASONS.nonMessageField, field);
    return deadLetter(batch, whole, META_CODES.unsupportedField, `change field "${field.slice(0, 64)}" is not mapped`);
  }
  const parsed = waValueSchema.safeParse(value);
  if (!value || !parsed.success) {
    return deadLetter(batch, whole, META_CODES.invalidItem, 'change value without metadata.phone_number_id');
  }
  const accountId = parsed.data.metadata.phone_number_id;
  const rawContacts = Array.isArray(value['contacts']) ? (value['contacts'] as unknown[]) : [];
  const ctx: WaValueContext = {
    accountId,
    business: businessIdentities(parsed.data.metadata.display_phone_number),
    contacts: rawContacts.flatMap((c) => {
      const contact = waContactSchema.safeParse(c);
      return contact.success ? [contact.data] : [];
    }),
    receivedAt: options.receivedAt,
  };
  const itemRef = (list: string, index: number, part: Record<string, unknown[]>, conversation?: unknown): ItemRef => ({
    accountId,
    locator: `${at}.value.${list}[${index}]`,
    ...(typeof conversation === 'string' && conversation ? { key: `whatsapp:${accountId}:${conversation}` } : {}),
    payload: () => valueItemPayload(body, entry, change, value, part),
  });

  for (const [list, items] of Object.entries(value)) {
    if (!Array.isArray(items) || list === 'contacts') continue;
    items.forEach((raw: unknown, i) => {
      const item = isObject(raw) ? raw : {};
      if (field === 'messages' && list === 'messages') {
        // The letter keeps the sender's contact (their name), joined as the mapper joins it.
        const contacts = rawContacts.filter((c) => isObject(c) && matches(c, item));
        const ref = itemRef(
          list,
          i,
          { ...(contacts.length ? { contacts } : {}), messages: [raw] },
          item['group_id'] ?? item['from'] ?? item['from_user_id'],
        );
        mapItem(batch, ref, (sink) => mapWaMessage(sink, ctx, raw));
      } else if (field === 'smb_message_echoes' && list === 'message_echoes') {
        mapItem(batch, itemRef(list, i, { message_echoes: [raw] }, item['to']), (sink) =>
          mapWaMessage(sink, ctx, raw, true),
        );
      } else if (field === 'messages' && list === 'statuses') {
        mapItem(batch, itemRef(list, i, { statuses: [raw] }, item['recipient_id']), (sink) =>
          mapWaStatus(sink, ctx, raw),
        );
      } else if (field === 'messages' && list === 'errors') {
        mapItem(batch, itemRef(list, i, { errors: [raw] }), () => {
          throw providerErrorFailure(raw);
        });
      } else {
        deadLetter(
          batch,
          itemRef(list, i, { [list]: [raw] }),
          META_CODES.unsupportedField,
          `${field}.${list.slice(0, 64)} is not mapped`,
        );
      }
    });
  }
}

function matches(contact: Json, message: Json): boolean {
  const waId = contact['wa_id'];
  const userId = contact['user_id'];
  return (
    (waId !== undefined && waId === message['from']) || (userId !== undefined && userId === message['from_user_id'])
  );
}
