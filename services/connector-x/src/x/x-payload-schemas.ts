import { z } from 'zod';

/*
 * The raw X payloads as the API sends them, checked at the edge. Objects are loose (X adds fields
 * over time) and items are kept as `unknown` in the page and body schemas, so one odd item, user
 * or media entry is handled on its own instead of rejecting everything around it.
 */

/** X sends ids as strings; a JSON number is accepted here and judged by `xUserId`. */
const idLike = z.union([z.string(), z.number()]);

const urlEntitySchema = z.looseObject({ url: z.string(), expanded_url: z.string().optional() });
const entitiesSchema = z.looseObject({ urls: z.array(urlEntitySchema).optional() });

/** What every item must have before its type can be told: an id and a type name. */
export const dmEventHeadSchema = z.looseObject({ id: z.string().min(1).max(1_024), event_type: z.string() });

// ---- v2: GET /2/dm_events ----

export const messageCreateV2Schema = z.looseObject({
  id: z.string().min(1).max(1_024),
  event_type: z.literal('MessageCreate'),
  text: z.string().optional(),
  created_at: idLike.optional(),
  sender_id: idLike.optional(),
  dm_conversation_id: z.string().optional(),
  attachments: z.looseObject({ media_keys: z.array(z.string()).optional() }).optional(),
  referenced_tweets: z.array(z.looseObject({ id: z.string(), type: z.string().optional() })).optional(),
  entities: entitiesSchema.optional(),
});
export type MessageCreateV2 = z.infer<typeof messageCreateV2Schema>;

export const userV2Schema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  username: z.string().optional(),
});
export const mediaV2Schema = z.looseObject({
  media_key: z.string(),
  type: z.string().optional(),
  url: z.string().optional(),
  preview_image_url: z.string().optional(),
});
export const tweetV2Schema = z.looseObject({
  id: z.string(),
  text: z.string().optional(),
  author_id: z.string().optional(),
});

export const dmEventsPageSchema = z.looseObject({
  data: z.array(z.unknown()).optional(),
  includes: z
    .looseObject({
      users: z.array(z.unknown()).optional(),
      media: z.array(z.unknown()).optional(),
      tweets: z.array(z.unknown()).optional(),
    })
    .optional(),
  // Strict on purpose: a page whose paging cannot be read must not be mistaken for the last one.
  meta: z.looseObject({ result_count: z.number().optional(), next_token: z.string().optional() }).optional(),
  /** Partial errors: HTTP 200 with both `data` and `errors` (e.g. a sender that could not be expanded). */
  errors: z.array(z.unknown()).optional(),
});
export type DmEventsPage = z.infer<typeof dmEventsPageSchema>;

export const partialErrorSchema = z.looseObject({ title: z.string().optional(), type: z.string().optional() });

// ---- v1.1 shape: Account Activity webhook body ----

export const webhookEventHeadSchema = z.looseObject({ type: z.string(), id: idLike });

export const webhookDmEventSchema = z.looseObject({
  type: z.literal('message_create'),
  id: idLike,
  created_timestamp: idLike.optional(),
  message_create: z.looseObject({
    sender_id: idLike.optional(),
    source_app_id: idLike.optional(),
    target: z.looseObject({ recipient_id: idLike.optional() }).optional(),
    message_data: z
      .looseObject({
        text: z.string().optional(),
        entities: entitiesSchema.optional(),
        quick_reply_response: z
          .looseObject({ type: z.string().optional(), metadata: z.string().optional() })
          .optional(),
        attachment: z
          .looseObject({
            type: z.string(),
            media: z
              .looseObject({
                id_str: z.string().optional(),
                type: z.string().optional(),
                media_url_https: z.string().optional(),
                url: z.string().optional(),
                expanded_url: z.string().optional(),
              })
              .optional(),
          })
          .optional(),
      })
      .optional(),
  }),
});
export type WebhookDmEvent = z.infer<typeof webhookDmEventSchema>;

/** `direct_message_mark_read_events[]`: `sender_id` read everything up to `last_read_event_id`. */
export const webhookReadEventSchema = z.looseObject({
  created_timestamp: idLike.optional(),
  sender_id: idLike,
  last_read_event_id: z.string().min(1).max(1_024),
  target: z.looseObject({ recipient_id: idLike }),
});

export const webhookUserSchema = z.looseObject({ name: z.string().optional(), screen_name: z.string().optional() });

export const webhookBodySchema = z.looseObject({
  for_user_id: z.string().regex(/^\d{1,30}$/, 'must be a numeric id'),
  direct_message_events: z.array(z.unknown()).optional(),
  direct_message_mark_read_events: z.array(z.unknown()).optional(),
  users: z.record(z.string(), z.unknown()).optional(),
  apps: z.record(z.string(), z.unknown()).optional(),
});
export type WebhookBody = z.infer<typeof webhookBodySchema>;
