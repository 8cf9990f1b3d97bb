import { z } from 'zod';
import { envFlag, parseConfig, phoneEnv } from '@kanal/config';
import type { CloudEvent } from '@kanal/contracts';
import type { RawWaMessage } from './raw-message';
import { toInboundEvent } from './to-inbound-events';

const envSchema = z.object({
  ...phoneEnv,
  /** The session id the events are attributed to (`accountId`). */
  WHATSAPP_ACCOUNT_ID: z.string().min(1).default('default'),
  WHATSAPP_INGEST_GROUPS: envFlag.default(false),
});

const keyed = z.object({ key: z.object({ id: z.string().optional(), remoteJid: z.string().optional() }).loose() }).loose();
const inputSchema = z.union([
  z.object({ messages: z.array(keyed), type: z.string().optional() }).loose(),
  z.array(keyed),
  keyed,
]);

/**
 * `kanal normalize whatsapp-web <file.json>`: a `messages.upsert` payload (`{messages, type}`),
 * an array of WAMessages or one WAMessage, as live-object JSON or protobuf JSON, through the
 * service's own mapper. Held stubs and ignored chats print nothing (they are not published).
 */
export function normalizeWhatsappWeb(raw: Buffer, env: NodeJS.ProcessEnv): CloudEvent[] {
  const config = parseConfig(envSchema, env);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw Object.assign(new Error('input is not JSON'), { code: 'WHATSAPP.INVALID_INPUT' });
  }
  const parsed = inputSchema.safeParse(json);
  if (!parsed.success) {
    throw Object.assign(new Error('expected a messages.upsert payload {messages, type}, a WAMessage array or a WAMessage'), {
      code: 'WHATSAPP.INVALID_INPUT',
    });
  }
  const value = parsed.data;
  const messages = (Array.isArray(value) ? value : 'messages' in value ? value.messages : [value]) as unknown as RawWaMessage[];
  const ctx = {
    accountId: config.WHATSAPP_ACCOUNT_ID,
    receivedAt: new Date().toISOString(),
    ingestGroups: config.WHATSAPP_INGEST_GROUPS,
    defaultRegion: config.DEFAULT_PHONE_REGION,
  };
  const events: CloudEvent[] = [];
  for (const message of messages) {
    const result = toInboundEvent(message, ctx);
    if (result.kind === 'event') events.push(result.event);
  }
  return events;
}
