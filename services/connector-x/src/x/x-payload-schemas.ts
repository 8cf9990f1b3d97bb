import { z } from 'zod';

/*
 * The raw X payloads as the API sends them, checked at the edge. Objects are loose (X adds fields
 * over time) and items are kept as `unknown` in the page schemas so one malformed item is dropped
 * on its own instead of rejecting the whole page.
 */

const snowflake = z.string().regex(/^\d{1,30}$/, 'must be a numeric id');

const urlEntitySchema = z.looseObject({ url: z.string(), expanded_url: z.string().optional() });

// ---- v2: GET /2/dm_events ----

export const dmEventV2Schema = z.looseObject({
  id: snowflake,
  event_type: z.string(),
  text: z.string().optional(),
  created_at: z.string().optional(),
  sender_id: snowflake.optional(),
  dm_conversation_id: z.string().min(1).max(1_024).optional(),
  attachments: z.looseObject({ media_keys: z.array(z.string()).optional() }).optional(),
  referenced_tweets: z.array(z.looseObject({ id: snowflake, type: z.string().optional() })).optional(),
  entities: z.looseObject({ urls: z.array(urlEntitySchema).optional() }).optional(),
});
export type DmEventV2 = z.infer<typeof dmEventV2Schema>;

const userV2Schema = z.looseObject({ id: z.string(), name: z.string().optional(), username: z.string().optional() });
const mediaV2Schema = z.looseObject({
  media_key: z.string(),
  type: z.string().optional(),
  url: z.string().optional(),
  preview_image_url: z.string().optional(),
  alt_text: z.string().optional(),
});
const tweetV2Schema = z.looseObject({ id: z.string(), text: z.string().optional(), author_id: z.string().optional() });

export const dmEventsPageSchema = z.looseObject({
  data: z.array(z.unknown()).optional(),
  includes: z
    .looseObject({
      users: z.array(userV2Schema).optional(),
      media: z.array(mediaV2Schema).optional(),
      tweets: z.array(tweetV2Schema).optional(),
    })
    .optional(),
  meta: z.looseObject({ result_count: z.number().optional(), next_token: z.string().optional() }).optional(),
  /** Partial errors: HTTP 200 with both `data` and `errors` (e.g. a sender that could not be expanded). */
  errors: z.array(z.looseObject({ title: z.string().optional(), type: z.string().optional() })).optional(),
});
export type DmEventsPage = z.infer<typeof dmEventsPageSchema>;

// ---- v1.1 shape: Account Activity webhook body ----

export const webhookDmEventSchema = z.looseObject({
  type: z.string(),
  id: snowflake,
  created_timestamp: z.string().regex(/^\d{1,16}$/, 'must be epoch milliseconds'),
  message_create: z.looseObject({
    sender_id: snowflake,
    target: z.looseObject({ recipient_id: snowflake }),
    message_data: z.looseObject({
      text: z.string().optional(),
      entities: z.looseObject({ urls: z.array(urlEntitySchema).optional() }).optional(),
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
    }),
  }),
});
export type WebhookDmEvent = z.infer<typeof webhookDmEventSchema>;

export const webhookBodySchema = z.looseObject({
  for_user_id: snowflake,
  direct_message_events: z.array(z.unknown()).optional(),
  users: z
    .record(z.string(), z.looseObject({ name: z.string().optional(), screen_name: z.string().optional() }))
    .optional(),
});
export type WebhookBody = z.infer<typeof webhookBodySchema>;
