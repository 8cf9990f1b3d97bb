import { readFile } from 'node:fs/promises';
import type { CloudEvent } from '@kanal/contracts';
import { UsageError } from './usage-error';

/**
 * A provider's normalizer: raw payload bytes → canonical events. Connectors register theirs here
 * so `kanal normalize` runs exactly the code path the service runs.
 */
export type Normalizer = (raw: Buffer, env: NodeJS.ProcessEnv) => Promise<CloudEvent[]> | CloudEvent[];

const NORMALIZERS: Record<string, () => Promise<Normalizer>> = {
  'whatsapp-cloud': async () =>
    (await import('../../../services/connector-meta/src/normalize-meta')).normalizeWhatsappCloud,
  'meta-instagram': async () =>
    (await import('../../../services/connector-meta/src/normalize-meta')).normalizeMetaInstagram,
  'meta-messenger': async () =>
    (await import('../../../services/connector-meta/src/normalize-meta')).normalizeMetaMessenger,
  'x-dm': async () => (await import('../../../services/connector-x/src/normalize-x-dm')).normalizeXDm,
  imap: async () => (await import('../../../services/connector-email/src/normalize-eml')).normalizeImap,
  'whatsapp-web': async () =>
    (await import('../../../services/connector-whatsapp/src/mapping/normalize-whatsapp-web')).normalizeWhatsappWeb,
};

export function registeredProviders(): string[] {
  return Object.keys(NORMALIZERS).sort();
}

export async function runNormalize(args: string[]): Promise<number> {
  const [provider, file] = args;
  if (!provider || !file) throw new UsageError('normalize needs <provider> <file>');
  const load = NORMALIZERS[provider];
  if (!load) {
    const known = registeredProviders();
    throw new UsageError(
      `no normalizer for "${provider}" (available: ${known.length ? known.join(', ') : 'none yet'})`,
    );
  }
  const normalize = await load();
  const events = await normalize(await readFile(file), process.env);
  for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
  return 0;
}
