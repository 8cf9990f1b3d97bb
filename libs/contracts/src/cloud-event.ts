import { z } from 'zod';

/**
 * CloudEvents 1.0 structured-mode JSON envelope (docs/architecture.md#2-the-event-contract). Every Kafka record value is one of
 * these; `data` is refined per event type by the schemas in `events/`.
 */
export const cloudEventEnvelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().min(1).optional(),
  datacontenttype: z.literal('application/json'),
  data: z.unknown(),
});

export type CloudEventEnvelope = z.infer<typeof cloudEventEnvelopeSchema>;

export interface CloudEvent<TType extends string = string, TData = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: TType;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  data: TData;
}

/** Builds the envelope schema for one event type with its `data` schema. */
export function cloudEventSchema<TType extends string, TData extends z.ZodType>(type: TType, data: TData) {
  return cloudEventEnvelopeSchema.extend({ type: z.literal(type), data });
}
