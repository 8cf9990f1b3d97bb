import type { PhaseResult } from './verify';

const COLUMNS: Array<[string, (r: PhaseResult) => string | number]> = [
  ['fault', (r) => r.fault],
  ['sent', (r) => r.sent],
  ['accepted', (r) => r.accepted],
  ['retried', (r) => r.retried],
  ['unified', (r) => r.unified],
  ['duplicates', (r) => r.duplicates],
  ['lost', (r) => r.lost],
  ['recovery s', (r) => r.recovery_s.toFixed(1)],
  ['conversations', (r) => r.conversations],
  ['assigned 1x', (r) => r.assigned_once],
  ['breached 1x', (r) => r.breached_once],
];

/** The fault table: text columns left-aligned, numbers right-aligned. */
export function table(rows: PhaseResult[]): string {
  const cells = rows.map((r) => COLUMNS.map(([, f]) => String(f(r))));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ');
  return [line(COLUMNS.map(([h]) => h)), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}
