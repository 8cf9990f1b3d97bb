import { z } from 'zod';
import { deadLetterWithBlob } from '@kanal/blob-store';
import { envFlag, envList, parseConfig } from '@kanal/config';
import type { CloudEvent } from '@kanal/contracts';
import { isLidJid, isPnJid, parseJid } from './jid-identity';
import { mapReactions, mapUpdates, mapUpsert, publishable, type Outcome } from './map-baileys-events';
import type { MapContext } from './map-context';
import type { RawMessageUpdate, RawReaction, RawSessionUser, RawUpsert } from './raw-message';

const envSchema = z.object({
  /** The session id the events are attributed to (`accountId`) when the payload does not name one. */
  WHATSAPP_ACCOUNT_ID: z.string().min(1).default('default'),
  WHATSAPP_INGEST_GROUPS: envFlag.default(false),
  /** The session's own JIDs (`905320000000@s.whatsapp.net`, `123…@lid`), comma-separated: the business side. */
  WHATSAPP_SELF_JID: envList.default([]),
});

const sessionSchema = z
  .object({
    id: z.string().min(1).max(320),
    user: z.object({ id: z.string().max(320).optional(), lid: z.string().max(320).optional() }).optional(),
  })
  .optional()
  .catch(undefined);

const EVENTS = ['messages.upsert', 'messages.update', 'messages.reaction'] as const;

export interface NormalizeOptions {
  /** When the item first arrived (a dead letter's `receivedAt`); now otherwise. */
  receivedAt?: string;
}

const invalid = (message: string) => Object.assign(new Error(message), { code: 'WHATSAPP.INVALID_INPUT' });

/**
 * `kanal normalize whatsapp-web <file.json>`: a `messages.upsert` payload (`{messages, type}`),
 * a Baileys event map (`{"messages.update": [...]}`, as `sock.ev.process` hands it over), an
 * array of WAMessages or one WAMessage, as live-object JSON or protobuf JSON. It runs the
 * service's own mapping and returns what the service would publish: events, and a dead letter
 * for every item it cannot map. A payload's `session` (written into every dead letter) names the
 * session and its own account; env fills in when it is absent.
 */
export async function normalizeWhatsappWeb(
  raw: Buffer,
  env: NodeJS.ProcessEnv,
  options: NormalizeOptions = {},
): Promise<CloudEvent[]> {
  const config = parseConfig(envSchema, env);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalid('input is not JSON');
  }
  if (typeof json !== 'object' || json === null)
    throw invalid('expected a messages.upsert payload, a Baileys event map, a WAMessage array or a WAMessage');
  const doc = json as Record<string, unknown>;
  const session = Array.isArray(json) ? undefined : sessionSchema.parse(doc.session);
  const ctx: MapContext = {
    accountId: session?.id ?? config.WHATSAPP_ACCOUNT_ID,
    receivedAt: receivedAt(options.receivedAt),
    ingestGroups: config.WHATSAPP_INGEST_GROUPS,
    self: session ? session.user : selfFromEnv(config.WHATSAPP_SELF_JID),
  };
  const outcomes: Outcome[] = [];
  if (Array.isArray(json)) outcomes.push(...mapUpsert({ type: 'notify', messages: json }, ctx));
  else if (EVENTS.some((e) => e in doc)) {
    for (const event of Object.keys(doc)) {
      if (event === 'messages.upsert') outcomes.push(...mapUpsert(doc[event] as RawUpsert, ctx));
      if (event === 'messages.update') outcomes.push(...mapUpdates(doc[event] as RawMessageUpdate[], ctx));
      if (event === 'messages.reaction') outcomes.push(...mapReactions(doc[event] as RawReaction[], ctx));
    }
  } else if ('messages' in doc) outcomes.push(...mapUpsert(doc as unknown as RawUpsert, ctx));
  else if ('key' in doc) outcomes.push(...mapUpsert({ type: 'notify', messages: [doc as never] }, ctx));
  else throw invalid('expected a messages.upsert payload, a Baileys event map, a WAMessage array or a WAMessage');
  return (await publishable(outcomes, (letter) => deadLetterWithBlob(letter, undefined))).map((p) => p.event);
}

function receivedAt(given: string | undefined): string {
  const ms = given ? Date.parse(given) : Number.NaN;
  return new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString();
}

function selfFromEnv(jids: string[]): RawSessionUser | undefined {
  const id = jids.find((j) => isPnJid(parseJid(j)));
  const lid = jids.find((j) => isLidJid(parseJid(j)));
  return id || lid ? { ...(id ? { id } : {}), ...(lid ? { lid } : {}) } : undefined;
}
