import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { CloudEvent } from '@kanal/contracts';
import { UsageError } from './usage-error';

export interface NormalizeOptions {
  /** When the item first arrived (a dead letter's `receivedAt`); now otherwise. */
  receivedAt?: string;
  /** The business account the payload was received for (a dead letter's `accountId`), when the payload alone does not say. */
  accountId?: string;
}

/**
 * A provider's normalizer: raw payload bytes → the canonical events the connector would publish,
 * including a `kanal.dlq.record.v1` for every item it cannot map (so `kanal normalize` shows dead
 * letters too, and `kanal dlq replay` can tell an item that still fails). Connectors register
 * theirs here so the command runs exactly the code path the service runs.
 */
export type Normalizer = (
  raw: Buffer,
  env: NodeJS.ProcessEnv,
  options?: NormalizeOptions,
) => Promise<CloudEvent[]> | CloudEvent[];

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

const loaded = new Map<string, Promise<Normalizer>>();

/** The normalizer of a provider, loaded once per process. */
export function loadNormalizer(provider: string): Promise<Normalizer> {
  const load = NORMALIZERS[provider];
  if (!load) {
    throw new UsageError(`no normalizer for "${provider}" (available: ${registeredProviders().join(', ')})`);
  }
  let normalizer = loaded.get(provider);
  if (!normalizer) loaded.set(provider, (normalizer = load()));
  return normalizer;
}

interface Job {
  provider: string;
  file: string;
}

/** `<provider> <file>... [<provider> <file>...]`: a provider name starts a new group of files. */
function parseJobs(args: string[]): { jobs: Job[]; timings: boolean } {
  const timings = args.includes('--timings');
  const rest = args.filter((a) => a !== '--timings');
  const unknownFlag = rest.find((a) => a.startsWith('--'));
  if (unknownFlag) throw new UsageError(`unknown option ${unknownFlag} for normalize`);
  const jobs: Job[] = [];
  let provider: string | undefined;
  for (const arg of rest) {
    if (Object.hasOwn(NORMALIZERS, arg)) provider = arg;
    else if (!provider)
      throw new UsageError(`no normalizer for "${arg}" (available: ${registeredProviders().join(', ')})`);
    else jobs.push({ provider, file: arg });
  }
  if (jobs.length === 0) throw new UsageError('normalize needs <provider> <file>...');
  return { jobs, timings };
}

/**
 * Prints every event of every file as NDJSON, files in the order given. With `--timings`, one JSON
 * line per file on stderr (milliseconds, events, dead letters) and a summary: start-up (process
 * start → command ready), the time spent loading normalizers (once per provider) and the median,
 * p95 and maximum per file.
 */
export async function runNormalize(args: string[]): Promise<number> {
  const { jobs, timings } = parseJobs(args);
  const startup = performance.now();
  const perFile: number[] = [];
  let loadMs = 0;
  for (const job of jobs) {
    const loading = performance.now();
    const normalize = await loadNormalizer(job.provider);
    const started = performance.now();
    loadMs += started - loading;
    const events = await normalize(await readFile(job.file), process.env);
    process.stdout.write(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    const ms = performance.now() - started;
    perFile.push(ms);
    if (timings) {
      const deadLetters = events.filter((e) => e.type === 'kanal.dlq.record.v1').length;
      const line = {
        file: job.file,
        provider: job.provider,
        ms: round(ms),
        events: events.length - deadLetters,
        deadLetters,
      };
      process.stderr.write(`${JSON.stringify(line)}\n`);
    }
  }
  if (timings) {
    const sorted = [...perFile].sort((a, b) => a - b);
    const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    const summary = {
      files: jobs.length,
      startupMs: round(startup),
      loadMs: round(loadMs),
      medianMs: at(0.5),
      p95Ms: at(0.95),
      maxMs: at(1),
    };
    process.stderr.write(`${JSON.stringify({ summary })}\n`);
  }
  return 0;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
