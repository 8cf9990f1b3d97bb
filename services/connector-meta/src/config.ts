import { envFlag, envList, httpEnv, logEnv } from '@kanal/config';
import { kafkaEnv } from '@kanal/kafka';
import { z } from 'zod';
import { accountEnv } from './account-env';

export const configSchema = z
  .object({
    ...kafkaEnv,
    ...httpEnv,
    ...logEnv,
    // 0 picks a free port (in-process tests).
    PORT: z.coerce.number().int().min(0).max(65_535).default(8082),
    /** Meta sends webhook payloads of up to 3 MB. */
    HTTP_BODY_LIMIT: httpEnv.HTTP_BODY_LIMIT.default('3mb'),
    /** Accounts served; an item of any other account is dead-lettered (META.UNKNOWN_ACCOUNT) for replay. */
    META_WHATSAPP_PHONE_NUMBER_IDS: accountEnv.META_WHATSAPP_PHONE_NUMBER_IDS.default([]),
    META_INSTAGRAM_ACCOUNT_IDS: accountEnv.META_INSTAGRAM_ACCOUNT_IDS.default([]),
    META_PAGE_IDS: accountEnv.META_PAGE_IDS.default([]),
    /** Several secrets during a rotation: a body signed with any of them is accepted. */
    META_APP_SECRETS: envList.pipe(
      z.array(z.string().min(8, 'each secret must have at least 8 characters')).min(1, 'needs at least one app secret'),
    ),
    META_VERIFY_TOKEN: z.string().min(8, 'must have at least 8 characters'),
    META_ACCESS_TOKEN: z.string().min(1).optional(),
    META_GRAPH_BASE_URL: z
      .url({ protocol: /^https$/, message: 'must be an https:// URL' })
      .default('https://graph.facebook.com'),
    META_GRAPH_API_VERSION: z
      .string()
      .regex(/^v\d+\.\d+$/, 'must look like v21.0')
      .default('v21.0'),
    /** Extra CA (PEM file) trusted for Graph/CDN fetches: a corporate proxy or a local test server. */
    META_GRAPH_CA_FILE: z.string().min(1).optional(),
    META_MEDIA_ENABLED: envFlag.default(true),
    META_MEDIA_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .default(100 * 1024 * 1024),
    META_MEDIA_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    META_MEDIA_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    META_MEDIA_RETRY_BASE_MS: z.coerce.number().int().min(1).default(1_000),
    BLOB_DIR: z.string().min(1).default('.kanal/blobs'),
  })
  .superRefine((c, ctx) => {
    if (c.META_MEDIA_ENABLED && !c.META_ACCESS_TOKEN && c.META_WHATSAPP_PHONE_NUMBER_IDS.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['META_ACCESS_TOKEN'],
        message: 'is required to fetch WhatsApp media (or set META_MEDIA_ENABLED=false)',
      });
    }
  });
export type Config = z.infer<typeof configSchema>;
