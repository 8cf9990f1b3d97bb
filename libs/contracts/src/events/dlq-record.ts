import { z } from 'zod';
import { channelSchema, providerSchema } from '../channel';

/**
 * `kanal.dlq.record.v1`: something Kanal could not process, kept so it can be replayed after a fix.
 * - `origin: consumer` (the default, and every record before `origin` existed): a Kafka record a
 *   consumer could not handle, byte for byte, with its topic, partition, offset and group.
 * - `origin: provider`: an item a connector could not turn into an event after it had told the
 *   provider "OK" (a webhook item, a Baileys message, an email, an X event). `value` is the raw
 *   provider payload (the smallest provider-shaped document holding the item), or empty with a
 *   `blobRef` when it was too large to carry; `kanal dlq replay` re-normalizes it.
 */
export const dlqRecordDataSchema = z
  .object({
    origin: z.enum(['consumer', 'provider']).default('consumer'),
    code: z.string().min(1),
    message: z.string(),
    sourceTopic: z.string().optional(),
    partition: z.number().int().min(0).optional(),
    offset: z.string().optional(),
    consumerGroup: z.string().optional(),
    key: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    /** The original value: UTF-8 text, or base64 when it was not valid UTF-8 (empty when in `blobRef`). */
    value: z.string(),
    valueEncoding: z.enum(['utf8', 'base64']),
    failedAt: z.iso.datetime({ offset: true }),
    attempts: z.number().int().min(0),
    /** Provider letters: where the item came from. */
    provider: providerSchema.optional(),
    channel: channelSchema.optional(),
    accountId: z.string().max(320).optional(),
    /** `application/json` (webhook bodies, Baileys items, X events) or `message/rfc822` (email). */
    contentType: z.string().max(128).optional(),
    /** The payload in the blob store, when it was too large to carry inline. */
    blobRef: z.string().max(1_024).optional(),
    /** Of the whole original payload, even when `value` is truncated or in the blob store. */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    size: z.number().int().min(0).optional(),
    /** `value` was cut to fit the broker's record limit (no blob store was available). */
    truncated: z.boolean().optional(),
    /** When the connector received the item (replay keeps it as `receivedAt`). */
    receivedAt: z.iso.datetime({ offset: true }).optional(),
    /** Where in the payload the item sits, without personal data (`entry[0].changes[1].messages[0]`, `uid 42`). */
    item: z.string().max(256).optional(),
  })
  .superRefine((d, ctx) => {
    const need =
      d.origin === 'consumer'
        ? (['sourceTopic', 'partition', 'offset', 'consumerGroup'] as const)
        : (['provider'] as const);
    for (const field of need) {
      if (d[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `required when origin is ${d.origin}` });
    }
  });
export type DlqRecordData = z.infer<typeof dlqRecordDataSchema>;
