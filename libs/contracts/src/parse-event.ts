import type { z } from 'zod';
import { cloudEventEnvelopeSchema } from './cloud-event';
import { EVENT_TYPES, isEventType, type KanalEvent } from './event-types';

/** Stable codes for records that can never be processed (they go to the DLQ with this code). */
export const EVENT_ERROR_CODES = {
  invalidEnvelope: 'EVENT.INVALID_ENVELOPE',
  unknownType: 'EVENT.UNKNOWN_TYPE',
  invalidData: 'EVENT.INVALID_DATA',
} as const;

export type ParseEventResult = { ok: true; event: KanalEvent } | { ok: false; code: string; message: string };

/** Every failing field path with its reason: `data.sender.identities.0.type: Invalid option …`. */
export function describeIssues(issues: z.core.$ZodIssue[], prefix = ''): string {
  return issues
    .slice(0, 20)
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Validates a decoded record value against the envelope and the schema of its `type`. */
export function parseEvent(raw: unknown): ParseEventResult {
  const envelope = cloudEventEnvelopeSchema.safeParse(raw);
  if (!envelope.success) {
    return { ok: false, code: EVENT_ERROR_CODES.invalidEnvelope, message: describeIssues(envelope.error.issues) };
  }
  const { type } = envelope.data;
  if (!isEventType(type)) return { ok: false, code: EVENT_ERROR_CODES.unknownType, message: `unknown event type "${type}"` };
  const data = EVENT_TYPES[type].data.safeParse(envelope.data.data);
  if (!data.success) {
    return { ok: false, code: EVENT_ERROR_CODES.invalidData, message: describeIssues(data.error.issues, 'data') };
  }
  return { ok: true, event: { ...envelope.data, type, data: data.data } as KanalEvent };
}
