import { buffer } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { FsBlobStore } from '@kanal/blob-store';
import { readDlq, replayDlq, type DlqEntry, type Renormalize } from '@kanal/kafka';
import { cliEnv } from './cli-env';
import { loadNormalizer } from './normalize-command';
import { UsageError } from './usage-error';

export async function runDlq(args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  if (verb === 'tail') return tail(rest);
  if (verb === 'replay') return replay(rest);
  throw new UsageError(`dlq needs "tail" or "replay", got ${verb ? `"${verb}"` : 'nothing'}`);
}

async function tail(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      follow: { type: 'boolean', default: false },
      limit: { type: 'string' },
      'show-value': { type: 'boolean', default: false },
    },
  });
  const limit = optionalCount(values.limit, '--limit');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const count = await readDlq(
    cliEnv(),
    (e) => void process.stdout.write(`${JSON.stringify(summary(e, values['show-value'] ?? false))}\n`),
    { follow: values.follow, limit, signal: controller.signal },
  );
  process.stderr.write(`${count} dead letter(s)\n`);
  return 0;
}

async function replay(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      code: { type: 'string' },
      'source-topic': { type: 'string' },
      provider: { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const outcomes = await replayDlq(cliEnv(), {
    code: values.code,
    sourceTopic: values['source-topic'],
    provider: values.provider,
    limit: optionalCount(values.limit, '--limit'),
    dryRun: values['dry-run'],
    renormalize,
  });
  for (const { entry, ...outcome } of outcomes)
    process.stdout.write(`${JSON.stringify({ ...summary(entry, false), ...outcome })}\n`);
  const count = (result: string) => outcomes.filter((o) => o.result === result).length;
  if (values['dry-run']) process.stderr.write(`would replay ${outcomes.length} dead letter(s)\n`);
  else {
    process.stderr.write(
      `replayed ${count('replayed')} dead letter(s); ${count('still-failing')} still failing, ${count('skipped')} skipped\n`,
    );
  }
  return count('still-failing') + count('skipped') > 0 ? 2 : 0;
}

/**
 * A provider letter's payload through today's mapper. Blob-referenced payloads are read from the
 * connector's blob store (BLOB_DIR, as the connector has it); a truncated payload cannot be replayed.
 */
const renormalize: Renormalize = async (entry) => {
  if (entry.truncated) throw Object.assign(new Error('payload was truncated'), { code: 'DLQ.PAYLOAD_TRUNCATED' });
  const normalize = await loadNormalizer(entry.provider ?? '');
  const raw = entry.blobRef
    ? await buffer(await new FsBlobStore(process.env['BLOB_DIR'] || '.kanal/blobs').get(entry.blobRef))
    : Buffer.from(entry.value, entry.valueEncoding === 'base64' ? 'base64' : 'utf8');
  return normalize(raw, process.env, { receivedAt: entry.receivedAt, accountId: entry.accountId });
};

/** Metadata only by default: the original value holds customer messages (PII). */
function summary(e: DlqEntry, withValue: boolean) {
  const { value, valueEncoding, headers: _headers, ...meta } = e;
  return withValue ? { ...meta, value, valueEncoding } : meta;
}

function optionalCount(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive whole number, got "${raw}"`);
  return n;
}
