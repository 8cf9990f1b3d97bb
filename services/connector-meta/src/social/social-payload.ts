import { z } from 'zod';

/** Instagram Messaging / Messenger webhook shapes (loose: Meta adds fields without notice). */
const attachment = z.looseObject({
  type: z.string(),
  payload: z.looseObject({ url: z.string().optional(), title: z.string().optional() }).nullish(),
});

export const socialEventSchema = z.looseObject({
  sender: z.looseObject({ id: z.string().min(1) }),
  recipient: z.looseObject({ id: z.string().min(1) }),
  timestamp: z.number().optional(),
  message: z
    .looseObject({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      app_id: z.union([z.number(), z.string()]).optional(),
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
    })
    .optional(),
  reaction: z
    .looseObject({ mid: z.string().min(1), action: z.string(), reaction: z.string().optional(), emoji: z.string().optional() })
    .optional(),
  message_edit: z.looseObject({ mid: z.string().min(1), text: z.string().optional(), num_edit: z.number().optional() }).optional(),
  read: z.looseObject({ mid: z.string().optional(), watermark: z.number().optional() }).optional(),
  delivery: z.looseObject({ mids: z.array(z.string()).optional(), watermark: z.number().optional() }).optional(),
  postback: z.looseObject({ mid: z.string().optional(), title: z.string().optional(), payload: z.string().optional() }).optional(),
});
export type SocialEvent = z.infer<typeof socialEventSchema>;
export type SocialAttachment = z.infer<typeof attachment>;

export const socialBodySchema = z.looseObject({
  object: z.enum(['instagram', 'page']),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number().optional(),
      messaging: z.array(z.unknown()).optional(),
      // Handover protocol: threads owned by another app arrive here instead of `messaging`.
      standby: z.array(z.unknown()).optional(),
    }),
  ),
});
