#!/usr/bin/env node
// `npm run test:fuzz`: the property suites that `npm test` runs as a seeded subset, scaled up
// (KANAL_FUZZ_SCALE, default 5: over 100,000 inputs in all), then the inputs tried per suite and
// in total. Same seeds, so a failure here reproduces with the same scale.
import { spawn } from 'node:child_process';

const scale = process.env.KANAL_FUZZ_SCALE || '5';
const suites = [
  'fuzz\\.spec\\.ts$',
  'storable\\.spec\\.ts$',
  'sanitize-text\\.spec\\.ts$',
  'storable-message\\.spec\\.ts$',
  'event-time\\.spec\\.ts$',
  'json-prefix\\.spec\\.ts$',
  'bad-input\\.int\\.spec\\.ts$',
  'stack-properties\\.int\\.spec\\.ts$',
];
const args = [
  '--expose-gc',
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
  'node_modules/jest/bin/jest.js',
  '--testPathPatterns',
  suites.join('|'),
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, {
  env: { ...process.env, KANAL_FUZZ_SCALE: scale },
  stdio: ['inherit', 'pipe', 'pipe'],
});
const counts = new Map();
const scan = (chunk) => {
  for (const m of String(chunk).matchAll(/\[bad-input\] (.+): (\d+) inputs tried/g)) counts.set(m[1], Number(m[2]));
};
child.stdout.on('data', (c) => (process.stdout.write(c), scan(c)));
child.stderr.on('data', (c) => (process.stderr.write(c), scan(c)));
child.on('close', (code) => {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`\nfuzz (KANAL_FUZZ_SCALE=${scale}): ${total} inputs tried in ${counts.size} suites`);
  for (const [suite, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(8)}  ${suite}`);
  process.exit(code ?? 1);
});
