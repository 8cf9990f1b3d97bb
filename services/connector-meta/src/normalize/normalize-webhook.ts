import { toSocialEvents } from '../social/to-social-events';
import { toWhatsappEvents } from '../whatsapp/to-whatsapp-events';
import type { NormalizedBatch } from './normalized-batch';
import { InvalidWebhookBodyError } from './webhook-envelope';

export { InvalidWebhookBodyError };

export const META_PROVIDERS = ['whatsapp-cloud', 'meta-instagram', 'meta-messenger'] as const;
export type MetaProvider = (typeof META_PROVIDERS)[number];

export const CHANNEL_OF = {
  'whatsapp-cloud': 'whatsapp',
  'meta-instagram': 'instagram',
  'meta-messenger': 'messenger',
} as const;

export interface NormalizeOptions {
  /** When the connector received the delivery (a dead letter's `receivedAt` on replay). */
  receivedAt: string;
}

/**
 * Raw (already verified) webhook bytes → events, dead-letter items and counted skips. The service,
 * `kanal normalize` and `kanal dlq replay` all call this, so each shows exactly what the webhook
 * would publish. Throws only InvalidWebhookBodyError: anything wrong inside one item stays with
 * that item.
 */
export function normalizeWebhook(provider: MetaProvider, raw: Buffer, options: NormalizeOptions): NormalizedBatch {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new InvalidWebhookBodyError('body is not valid JSON');
  }
  if (provider === 'whatsapp-cloud') return toWhatsappEvents(body, options);
  return toSocialEvents(CHANNEL_OF[provider] as 'instagram' | 'messenger', body, options);
}

export type NormalizeWebhook = typeof normalizeWebhook;
