import { z } from 'zod';

/** `kanal.dlq.record.v1`: the original record byte for byte, where it came from, and why it failed. */
export const dlqRecordDataSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  sourceTopic: z.string(),
  partition: z.number().int().min(0),
  offset: z.string(),
  key: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  /** The original value: UTF-8 text, or base64 when it was not valid UTF-8. */
  value: z.string(),
  valueEncoding: z.enum(['utf8', 'base64']),
  failedAt: z.iso.datetime({ offset: true }),
  attempts: z.number().int().min(0),
  consumerGroup: z.string(),
});
export type DlqRecordData = z.infer<typeof dlqRecordDataSchema>;
