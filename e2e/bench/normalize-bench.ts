/**
 * `npm run bench:normalize`: every provider fixture of the repository through `kanal normalize` in
 * one process, built as the container image builds the CLI (esbuild, split chunks), then again
 * through the development entry (`bin/kanal.mjs`, TypeScript through tsx). Prints per-provider
 * figures, the slowest files and, as the last line, one JSON object. Targets: median ≤ 50 ms per
 * file, command start-up ≤ 500 ms.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { percentile, REPO_ROOT } from '@kanal/testing';

const run = promisify(execFile);

/** Fixture folders and the normalizer their payloads are for. */
const FIXTURES: Array<{ provider: string; dir: string; match: RegExp }> = [
  { provider: 'whatsapp-cloud', dir: 'services/connector-meta/src/whatsapp/__fixtures__', match: /\.json$/ },
  { provider: 'meta-instagram', dir: 'services/connector-meta/src/social/__fixtures__', match: /^instagram-.*\.json$/ },
  { provider: 'meta-messenger', dir: 'services/connector-meta/src/social/__fixtures__', match: /^messenger-.*\.json$/ },
  { provider: 'whatsapp-web', dir: 'services/connector-whatsapp/src/mapping/__fixtures__', match: /\.json$/ },
  { provider: 'imap', dir: 'services/connector-email/src/__fixtures__', match: /\.eml$/ },
  { provider: 'x-dm', dir: 'services/connector-x/src/x/__fixtures__', match: /\.json$/ },
];

interface FileTiming {
  file: string;
  provider: string;
  ms: number;
  events: number;
  deadLetters: number;
}
interface Summary {
  files: number;
  startupMs: number;
  loadMs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

async function fixtureArgs(): Promise<string[]> {
  const args: string[] = [];
  for (const { provider, dir, match } of FIXTURES) {
    const files = (await readdir(join(REPO_ROOT, dir))).filter((f) => match.test(f)).sort();
    if (files.length) args.push(provider, ...files.map((f) => join(dir, f)));
  }
  return args;
}

async function buildCli(): Promise<string> {
  const outdir = join(REPO_ROOT, '.kanal', 'build', 'kanal-cli');
  await run(
    join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'),
    [
      'tools/kanal/src/cli.ts',
      '--bundle',
      '--platform=node',
      '--target=node20',
      '--format=esm',
      '--packages=external',
      '--tsconfig=tsconfig.base.json',
      '--splitting',
      `--outdir=${outdir}`,
      '--entry-names=main',
      '--chunk-names=chunks/[name]-[hash]',
      '--out-extension:.js=.mjs',
      '--log-level=warning',
    ],
    { cwd: REPO_ROOT },
  );
  return join(outdir, 'main.mjs');
}

async function timed(
  entry: string[],
  args: string[],
): Promise<{ files: FileTiming[]; summary: Summary; wallMs: number }> {
  const started = performance.now();
  const { stderr } = await run(process.execPath, [...entry, 'normalize', '--timings', ...args], {
    cwd: REPO_ROOT,
    // X pages name their participants, not which one is us.
    env: { ...process.env, LOG_LEVEL: 'silent', X_ACCOUNT_ID: process.env.X_ACCOUNT_ID ?? '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  const lines = stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as FileTiming | { summary: Summary });
  const files = lines.filter((l): l is FileTiming => 'file' in l);
  const summary = lines.find((l): l is { summary: Summary } => 'summary' in l)!.summary;
  return { files, summary, wallMs };
}

function byProvider(files: FileTiming[]) {
  const out: Record<string, { files: number; medianMs: number; maxMs: number; events: number; deadLetters: number }> =
    {};
  for (const { provider } of FIXTURES) {
    const mine = files.filter((f) => f.provider === provider);
    if (!mine.length) continue;
    const ms = mine.map((f) => f.ms).sort((a, b) => a - b);
    out[provider] = {
      files: mine.length,
      medianMs: percentile(ms, 50),
      maxMs: ms.at(-1)!,
      events: mine.reduce((n, f) => n + f.events, 0),
      deadLetters: mine.reduce((n, f) => n + f.deadLetters, 0),
    };
  }
  return out;
}

const args = await fixtureArgs();
const bundle = await timed([await buildCli()], args);
const dev = await timed([join(REPO_ROOT, 'bin', 'kanal.mjs')], args);
const providers = byProvider(bundle.files);

process.stdout.write(`kanal normalize: ${bundle.summary.files} fixtures in one process\n\n`);
process.stdout.write('provider          files  median ms  max ms  events  dead letters\n');
for (const [p, r] of Object.entries(providers)) {
  process.stdout.write(
    `${p.padEnd(16)} ${String(r.files).padStart(6)} ${r.medianMs.toFixed(1).padStart(10)} ${r.maxMs.toFixed(1).padStart(7)} ${String(r.events).padStart(7)} ${String(r.deadLetters).padStart(13)}\n`,
  );
}
process.stdout.write('\nslowest files (image build):\n');
for (const f of [...bundle.files].sort((a, b) => b.ms - a.ms).slice(0, 5))
  process.stdout.write(`  ${f.ms.toFixed(1).padStart(6)} ms  ${f.file}\n`);
for (const [name, r] of [
  ['image build (esbuild bundle)', bundle],
  ['development (bin/kanal.mjs, tsx)', dev],
] as const) {
  const s = r.summary;
  process.stdout.write(
    `\n${name}: start-up ${s.startupMs} ms, normalizers loaded in ${s.loadMs} ms, per file median ${s.medianMs} / p95 ${s.p95Ms} / max ${s.maxMs} ms, whole run ${Math.round(r.wallMs)} ms`,
  );
}
const met = (s: Summary) => s.medianMs <= 50 && s.startupMs <= 500;
process.stdout.write(
  `\ntargets (median ≤ 50 ms, start-up ≤ 500 ms): image ${met(bundle.summary) ? 'met' : 'missed'}, development ${met(dev.summary) ? 'met' : 'missed'}\n`,
);
process.stdout.write(
  `${JSON.stringify({ bench: 'normalize', image: bundle.summary, development: dev.summary, providers })}\n`,
);
