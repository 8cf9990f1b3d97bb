import { z } from 'zod';

/**
 * Instagram Messaging / Messenger webhook shapes (loose: Meta adds fields without notice). Only
 * what an item cannot exist without is required: who sent it, to whom, and a message's `mid`.
 * Timestamps and counters are taken as numbers or strings (Meta's own examples use both).
 */
const numeric = z.union([z.number(), z.string()]);

const attachment = z.looseObject({
  type: z.string(),
  /** Legacy Messenger `fallback`/`location` attachments put these beside the payload. */
  title: z.string().optional(),
  url: z.string().optional(),
  payload: z
    .looseObject({
      url: z.string().optional(),
      title: z.string().optional(),
      sticker_id: numeric.optional(),
      coordinates: z.looseObject({ lat: z.number().optional(), long: z.number().optional() }).optional(),
    })
    .nullish(),
});
export type SocialAttachment = z.infer<typeof attachment>;

const referral = z.record(z.string(), z.unknown());

export const socialMessageSchema = z.looseObject({
  mid: z.string().min(1),
  text: z.string().optional(),
  is_echo: z.boolean().optional(),
  app_id: numeric.optional(),
  metadata: z.string().optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
  attachments: z.array(attachment).optional(),
  quick_reply: z.looseObject({ payload: z.string() }).optional(),
  reply_to: z
    .looseObject({
      mid: z.string().optional(),
      story: z.looseObject({ id: z.string().optional(), url: z.string().optional() }).optional(),
    })
    .optional(),
  /** Ads and ig.me/m.me links that opened the conversation with this message. */
  referral: referral.optional(),
});
export type SocialMessage = z.infer<typeof socialMessageSchema>;

export const socialEventSchema = z.looseObject({
  sender: z.looseObject({ id: z.string().min(1) }),
  recipient: z.looseObject({ id: z.string().min(1) }),
  timestamp: numeric.optional(),
  message: socialMessageSchema.optional(),
  reaction: z
    .looseObject({
      mid: z.string().min(1),
      action: z.string(),
      reaction: z.string().optional(),
      emoji: z.string().optional(),
    })
    .optional(),
  message_edit: z
    .looseObject({ mid: z.string().min(1), text: z.string().optional(), num_edit: numeric.optional() })
    .optional(),
  read: z.looseObject({ mid: z.string().optional(), watermark: numeric.optional() }).optional(),
  delivery: z.looseObject({ mids: z.array(z.string()).optional(), watermark: numeric.optional() }).optional(),
  postback: z
    .looseObject({
      mid: z.string().optional(),
      title: z.string().optional(),
      payload: z.string().optional(),
      referral: referral.optional(),
    })
    .optional(),
  referral: referral.optional(),
});
export type SocialEvent = z.infer<typeof socialEventSchema>;
