import { parseArgs } from 'node:util';
import { readDlq, replayDlq, type DlqEntry } from '@kanal/kafka';
import { cliEnv } from './cli-env';
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
      limit: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const picked = await replayDlq(cliEnv(), {
    code: values.code,
    sourceTopic: values['source-topic'],
    limit: optionalCount(values.limit, '--limit'),
    dryRun: values['dry-run'],
  });
  for (const e of picked) process.stdout.write(`${JSON.stringify(summary(e, false))}\n`);
  process.stderr.write(`${values['dry-run'] ? 'would replay' : 'replayed'} ${picked.length} dead letter(s)\n`);
  return 0;
}

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
