import { parseConfig } from '@kanal/config';
import type { CloudEvent } from '@kanal/contracts';
import { z } from 'zod';
import { ACCOUNT_VARIABLE, accountEnv } from './account-env';
import { normalizeDelivery } from './normalize/normalize-delivery';
import type { MetaProvider } from './normalize/normalize-webhook';

const cliEnv = z.object({
  META_WHATSAPP_PHONE_NUMBER_IDS: accountEnv.META_WHATSAPP_PHONE_NUMBER_IDS.optional(),
  META_INSTAGRAM_ACCOUNT_IDS: accountEnv.META_INSTAGRAM_ACCOUNT_IDS.optional(),
  META_PAGE_IDS: accountEnv.META_PAGE_IDS.optional(),
});

/**
 * `kanal normalize whatsapp-cloud|meta-instagram|meta-messenger <file>` and `kanal dlq replay`:
 * the webhook's own code path (normalizeDelivery), events and dead letters both. The account
 * variables, when set, apply the service's rule (another account's items are META.UNKNOWN_ACCOUNT
 * letters); unset, every account is mapped. Stdout is the caller's: diagnostics go to stderr.
 */
function cliNormalizer(provider: MetaProvider) {
  return async (raw: Buffer, env: NodeJS.ProcessEnv, options: { receivedAt?: string } = {}): Promise<CloudEvent[]> => {
    const accounts = parseConfig(cliEnv, env)[ACCOUNT_VARIABLE[provider]];
    const delivery = await normalizeDelivery(provider, raw, {
      receivedAt: options.receivedAt ?? new Date().toISOString(),
      knownAccounts: accounts ? new Set(accounts) : undefined,
    });
    for (const s of delivery.skipped)
      process.stderr.write(`skipped (${s.reason}) ${s.locator}${s.detail ? ` ${s.detail}` : ''}\n`);
    for (const d of delivery.deadLetters) process.stderr.write(`dead letter (${d.code}) ${d.locator}\n`);
    return [...delivery.events.map((e) => e.event), ...delivery.deadLetters.map((d) => d.event)];
  };
}

export const normalizeWhatsappCloud = cliNormalizer('whatsapp-cloud');
export const normalizeMetaInstagram = cliNormalizer('meta-instagram');
export const normalizeMetaMessenger = cliNormalizer('meta-messenger');
