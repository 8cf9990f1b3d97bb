import { z } from 'zod';
import {
  buildInboundEvent,
  describeIssues,
  IdentityError,
  messageDataSchema,
  normalizeIdentityValue,
  type KanalEvent,
  type MessageData,
} from '@kanal/contracts';

/**
 * What an integrator posts: the canonical message `data` of DESIGN §2, with `provider` fixed to
 * `http`, `direction` defaulting to inbound and `receivedAt` set here.
 */
export const apiMessageSchema = messageDataSchema.extend({
  provider: z.literal('http').default('http'),
  direction: messageDataSchema.shape.direction.default('inbound'),
  receivedAt: messageDataSchema.shape.receivedAt.optional(),
});

export type MappingResult =
  | { ok: true; events: Array<KanalEvent<'kanal.message.received.v1'> | KanalEvent<'kanal.message.sent.v1'>> }
  | { ok: false; issues: Array<{ path: string; message: string }> };

/** One message or an array of them → canonical events, or every offending field path. */
export function toInboundEvents(body: unknown, options: { maxBatch: number; defaultRegion: string; now?: Date }): MappingResult {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) return { ok: false, issues: [{ path: '(root)', message: 'send one message or a non-empty array' }] };
  if (list.length > options.maxBatch) {
    return { ok: false, issues: [{ path: '(root)', message: `at most ${options.maxBatch} messages per request` }] };
  }
  const issues: Array<{ path: string; message: string }> = [];
  const messages: MessageData[] = [];
  const receivedAt = (options.now ?? new Date()).toISOString();
  list.forEach((item, index) => {
    const prefix = Array.isArray(body) ? `[${index}]` : '';
    const parsed = apiMessageSchema.safeParse(item);
    if (!parsed.success) {
      for (const part of describeIssues(parsed.error.issues).split('; ')) {
        const [path, ...rest] = part.split(': ');
        issues.push({ path: [prefix, path === '(root)' ? '' : path].filter(Boolean).join('.') || '(root)', message: rest.join(': ') });
      }
      return;
    }
    const data: MessageData = { ...parsed.data, receivedAt: parsed.data.receivedAt ?? receivedAt };
    for (const side of ['sender', 'recipient'] as const) {
      data[side]?.identities.forEach((identity, i) => {
        try {
          identity.value = normalizeIdentityValue(identity.type, identity.value, { defaultRegion: options.defaultRegion });
        } catch (error) {
          if (!(error instanceof IdentityError)) throw error;
          issues.push({ path: [prefix, `${side}.identities.${i}.value`].filter(Boolean).join('.'), message: error.message });
        }
      });
    }
    messages.push(data);
  });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    events: messages.map((data) =>
      buildInboundEvent(data.direction === 'outbound' ? 'kanal.message.sent.v1' : 'kanal.message.received.v1', data, {
        source: 'kanal/connector-api',
      }),
    ),
  };
}
