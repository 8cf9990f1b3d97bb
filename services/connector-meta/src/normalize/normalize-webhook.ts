import { ZodError } from 'zod';
import { toSocialEvents } from '../social/to-social-events';
import { toWhatsappEvents } from '../whatsapp/to-whatsapp-events';
import type { NormalizedBatch } from './normalized-batch';

export const META_PROVIDERS = ['whatsapp-cloud', 'meta-instagram', 'meta-messenger'] as const;
export type MetaProvider = (typeof META_PROVIDERS)[number];

export interface NormalizeOptions {
  receivedAt: string;
  defaultRegion: string;
}

/** A body that is not a webhook of this provider: answered 400 (Meta then drops it). */
export class InvalidWebhookBodyError extends Error {
  readonly code = 'META.INVALID_BODY';
}

/**
 * Raw (already verified) webhook bytes → events. The service and `kanal normalize` both call this,
 * so the CLI shows exactly what the webhook would publish.
 */
export function normalizeWebhook(provider: MetaProvider, raw: Buffer, options: NormalizeOptions): NormalizedBatch {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new InvalidWebhookBodyError('body is not valid JSON');
  }
  try {
    if (provider === 'whatsapp-cloud') return toWhatsappEvents(body, options);
    return toSocialEvents(provider === 'meta-instagram' ? 'instagram' : 'messenger', body, options);
  } catch (error) {
    if (error instanceof ZodError) {
      const issue = error.issues[0];
      throw new InvalidWebhookBodyError(`not a ${provider} webhook: ${issue?.path.join('.') || '(body)'} ${issue?.message}`);
    }
    if (error instanceof Error && 'code' in error && error.code === 'META.WRONG_OBJECT') throw new InvalidWebhookBodyError(error.message);
    throw error;
  }
}
