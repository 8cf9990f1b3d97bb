import type { CloudEvent } from '@kanal/contracts';
import { normalizeWebhook, type MetaProvider } from './normalize/normalize-webhook';

/** `kanal normalize whatsapp-cloud|meta-instagram|meta-messenger <file>`: the webhook's code path. */
function cliNormalizer(provider: MetaProvider) {
  return (raw: Buffer, env: NodeJS.ProcessEnv): CloudEvent[] => {
    const region = (env['DEFAULT_PHONE_REGION'] || 'TR').toUpperCase();
    const batch = normalizeWebhook(provider, raw, { receivedAt: new Date().toISOString(), defaultRegion: region });
    for (const d of batch.dropped) process.stderr.write(`dropped (${d.reason}) ${d.accountId ?? ''} ${d.detail ?? ''}\n`);
    return batch.events.map((e) => e.event);
  };
}

export const normalizeWhatsappCloud = cliNormalizer('whatsapp-cloud');
export const normalizeMetaInstagram = cliNormalizer('meta-instagram');
export const normalizeMetaMessenger = cliNormalizer('meta-messenger');
