import { z } from 'zod';

/**
 * The parts of a Cloud API webhook body the connector reads. Objects are loose: Meta adds fields
 * often, and an unknown field must never turn a delivery into a 400 (Meta would retry for 7 days).
 */
const media = z.looseObject({
  id: z.string().optional(),
  mime_type: z.string().optional(),
  url: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});

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

export const waMessageSchema = z.looseObject({
  id: z.string().min(1),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp: z.union([z.string(), z.number()]),
  type: z.string(),
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
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  contacts: z.array(contactCard).optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: z.looseObject({ id: z.string(), title: z.string().optional() }).optional(),
      list_reply: z.looseObject({ id: z.string(), title: z.string().optional() }).optional(),
      nfm_reply: z.looseObject({ name: z.string().optional(), body: z.string().optional() }).optional(),
    })
    .optional(),
  button: z.looseObject({ text: z.string().optional(), payload: z.string().optional() }).optional(),
  reaction: z.looseObject({ message_id: z.string(), emoji: z.string().optional() }).optional(),
});
export type WaMessage = z.infer<typeof waMessageSchema>;

export const waStatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.union([z.string(), z.number()]),
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.union([z.number(), z.string()]).optional(), title: z.string().optional(), message: z.string().optional() })).optional(),
});
export type WaStatus = z.infer<typeof waStatusSchema>;

export const waValueSchema = z.looseObject({
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  /** System-level errors (e.g. a delivery Meta could not make); nothing to publish, but never ignored. */
  errors: z.array(z.looseObject({ code: z.union([z.number(), z.string()]).optional(), title: z.string().optional() })).optional(),
});

export const waBodySchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).default([]),
    }),
  ),
});
