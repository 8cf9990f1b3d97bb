import { z } from 'zod';

/**
 * The parts of a Cloud API webhook body the connector reads. Objects are loose: Meta adds fields
 * often, and an unknown field must never cost a message. Only what an item cannot exist without
 * is required (a message's `id`); a timestamp or a type may be missing and is then stood in for.
 */
const media = z.looseObject({
  id: z.string().optional(),
  mime_type: z.string().optional(),
  url: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});

const timestamp = z.union([z.string(), z.number()]).optional();

const providerError = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  title: z.string().optional(),
  message: z.string().optional(),
});
export type WaError = z.infer<typeof providerError>;

export const waContactSchema = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
});
export type WaContact = z.infer<typeof waContactSchema>;

const contactCard = z.looseObject({
  name: z.looseObject({ formatted_name: z.string().optional(), first_name: z.string().optional() }).optional(),
  phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
  emails: z.array(z.looseObject({ email: z.string().optional() })).optional(),
});

/** What a message (or the new content of an edit) carries, by `type`. */
export const waContentSchema = z.looseObject({
  type: z.string().optional(),
  context: z.looseObject({ id: z.string().optional(), forwarded: z.boolean().optional() }).optional(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: media.optional(),
  video: media.optional(),
  audio: media.optional(),
  voice: media.optional(),
  document: media.optional(),
  sticker: media.optional(),
  location: z
    .looseObject({
      latitude: z.number().optional(),
      longitude: z.number().optional(),
      name: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  contacts: z.array(contactCard).optional(),
  interactive: z
    .looseObject({
      type: z.string().optional(),
      button_reply: z.looseObject({ id: z.string(), title: z.string().optional() }).optional(),
      list_reply: z.looseObject({ id: z.string(), title: z.string().optional() }).optional(),
      // WhatsApp Flows: `response_json` is the submitted form as a JSON string.
      nfm_reply: z
        .looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: z.string().optional() })
        .optional(),
    })
    .optional(),
  button: z.looseObject({ text: z.string().optional(), payload: z.string().optional() }).optional(),
  order: z.looseObject({ text: z.string().optional() }).optional(),
  system: z
    .looseObject({
      body: z.string().optional(),
      type: z.string().optional(),
      new_wa_id: z.string().optional(),
      wa_id: z.string().optional(),
    })
    .optional(),
});
export type WaContent = z.infer<typeof waContentSchema>;

export const waMessageSchema = waContentSchema.extend({
  id: z.string().min(1),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  /** `smb_message_echoes` only: the customer a message sent from the WhatsApp Business app went to. */
  to: z.string().optional(),
  /** Groups API: the group the message was written in. */
  group_id: z.string().min(1).optional(),
  timestamp,
  reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() }).optional(),
  edit: z.looseObject({ original_message_id: z.string().min(1), message: waContentSchema.optional() }).optional(),
  revoke: z.looseObject({ original_message_id: z.string().min(1) }).optional(),
  /** Click-to-WhatsApp ads. */
  referral: z.record(z.string(), z.unknown()).optional(),
  /** Message-level errors (`type: unknown`/`unsupported`, 131051): kept with the placeholder. */
  errors: z.array(providerError).optional(),
});
export type WaMessage = z.infer<typeof waMessageSchema>;

export const waStatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp,
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  /** `group` when the message went to a group: `recipient_id` is then the group id. */
  recipient_type: z.string().optional(),
  recipient_participant_id: z.string().optional(),
  errors: z.array(providerError).optional(),
});
export type WaStatus = z.infer<typeof waStatusSchema>;

export const waValueSchema = z.looseObject({
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
});
export type WaValue = z.infer<typeof waValueSchema>;

export const waErrorSchema = providerError;
