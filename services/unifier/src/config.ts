import { z } from 'zod';
import { databaseEnv, envList, httpEnv, logEnv, phoneEnv, requireTokens } from '@kanal/config';
import { kafkaEnv } from '@kanal/kafka';

const limits = z.string().transform((v, ctx) => {
  const out: Record<string, number> = {};
  for (const part of v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [type, n] = part.split('=');
    if (!type || !/^\d+$/.test(n ?? '')) {
      ctx.addIssue({ code: 'custom', message: `"${part}" must be <type>=<count>` });
      return z.NEVER;
    }
    out[type] = Number(n);
  }
  return out;
});

export const configSchema = z
  .object({
    ...kafkaEnv,
    ...httpEnv,
    PORT: z.coerce.number().int().min(0).max(65_535).default(8090),
    ...logEnv,
    ...databaseEnv,
    ...phoneEnv,
    UNIFIER_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
      .default('unifier'),
    UNIFIER_GROUP_ID: z.string().min(1).default('kanal-unifier'),
    /** Most identities of one type a customer may have before a link becomes a suggestion. */
    UNIFIER_IDENTITY_LIMITS: limits.default({ phone: 3, email: 5, 'whatsapp-lid': 3, 'whatsapp-bsuid': 3 }),
    /** `type:value` or `type:pattern*`; the defaults (shared mailboxes) always apply. */
    UNIFIER_BLOCKED_IDENTITIES: envList.default([]),
    /** The business's own numbers and addresses: never a customer identity. */
    BUSINESS_IDENTITIES: envList.default([]),
    CONVERSATION_IDLE_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(72),
    UNIFIER_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(3),
    /** How often the outbox relay looks for merge/split events Kafka did not take at answer time. */
    UNIFIER_RELAY_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  })
  .superRefine(requireTokens);

export type UnifierConfig = z.infer<typeof configSchema>;
