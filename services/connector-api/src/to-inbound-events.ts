import { z } from 'zod';
import {
  buildInboundEvent,
  checkEventTime,
  describeIssues,
  exceededLimit,
  IdentityError,
  messageDataSchema,
  normalizeIdentityValue,
  storableMessage,
  type KanalEvent,
  type MessageData,
  type MessageTooLarge,
} from '@kanal/contracts';

/**
 * What an integrator posts: the canonical message `data` (docs/architecture.md#2-the-event-contract),
 * with `provider` fixed to `http` and `direction` defaulting to inbound. `receivedAt` is Kanal's
 * to set: a client's value is ignored.
 */
export const apiMessageSchema = messageDataSchema.omit({ receivedAt: true }).extend({
  provider: z.literal('http').default('http'),
  direction: messageDataSchema.shape.direction.default('inbound'),
});

type Issue = { path: string; message: string };

export type MappingResult =
  | { ok: true; events: Array<KanalEvent<'kanal.message.received.v1'> | KanalEvent<'kanal.message.sent.v1'>> }
  /** 400: every offending field. */
  | { ok: false; issues: Issue[] }
  /** 413: the first message over a size cap. */
  | { ok: false; tooLarge: MessageTooLarge };

/**
 * One message or an array of them → canonical events, or every offending field path. Nothing the
 * database cannot store gets through: texts and names are cleaned (`flags.textSanitized`,
 * `flags.bidiControls`), identifiers with a NUL or an unpaired surrogate and event times outside
 * 1970 … now + 1 day are refused, and sizes are capped so every downstream event fits the broker.
 */
export function toInboundEvents(
  body: unknown,
  options: { maxBatch: number; defaultRegion: string; now?: Date },
): MappingResult {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0)
    return { ok: false, issues: [{ path: '(root)', message: 'send one message or a non-empty array' }] };
  if (list.length > options.maxBatch) {
    return { ok: false, issues: [{ path: '(root)', message: `at most ${options.maxBatch} messages per request` }] };
  }
  const now = options.now ?? new Date();
  const issues: Issue[] = [];
  const messages: MessageData[] = [];
  list.forEach((item, index) => {
    const prefix = Array.isArray(body) ? `[${index}]` : '';
    const at = (path: string) => [prefix, path === '(root)' ? '' : path].filter(Boolean).join('.') || '(root)';
    const parsed = apiMessageSchema.safeParse(item);
    if (!parsed.success) {
      for (const part of describeIssues(parsed.error.issues).split('; ')) {
        const [path, ...rest] = part.split(': ');
        issues.push({ path: at(path ?? '(root)'), message: rest.join(': ') });
      }
      return;
    }
    const storable = storableMessage(parsed.data);
    for (const issue of storable.issues) issues.push({ path: at(issue.path), message: issue.message });
    const data: MessageData = { ...storable.data, receivedAt: now.toISOString() };
    if (Object.keys(storable.flags).length > 0) data.flags = { ...data.flags, ...storable.flags };
    const time = checkEventTime(data.occurredAt, now);
    if (time.ok) data.occurredAt = time.value;
    else issues.push({ path: at('occurredAt'), message: `occurredAt ${time.message}` });
    const refused = new Set(storable.issues.map((i) => i.path));
    for (const side of ['sender', 'recipient'] as const) {
      data[side]?.identities.forEach((identity, i) => {
        const path = `${side}.identities.${i}.value`;
        if (refused.has(path)) return;
        try {
          identity.value = normalizeIdentityValue(identity.type, identity.value, {
            defaultRegion: options.defaultRegion,
          });
        } catch (error) {
          if (!(error instanceof IdentityError)) throw error;
          issues.push({ path: at(path), message: error.message });
        }
      });
    }
    messages.push(data);
  });
  if (issues.length > 0) return { ok: false, issues };
  for (const [index, data] of messages.entries()) {
    const tooLarge = exceededLimit(data, Array.isArray(body) ? `[${index}]` : '');
    if (tooLarge) return { ok: false, tooLarge };
  }
  return {
    ok: true,
    events: messages.map((data) =>
      buildInboundEvent(data.direction === 'outbound' ? 'kanal.message.sent.v1' : 'kanal.message.received.v1', data, {
        source: 'kanal/connector-api',
      }),
    ),
  };
}
