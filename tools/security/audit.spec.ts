import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';

// tools/security/audit.mjs decides on saved reports (KANAL_AUDIT_JSON): the shapes npm prints
// for a clean audit, for advisories (npm 7+ and npm 6), and for an audit that could not run.

const SCRIPT = fileURLToPath(new URL('./audit.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kanal-audit-'));
let seq = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function audit(report: unknown) {
  const file = join(dir, `report-${seq++}.json`);
  writeFileSync(file, typeof report === 'string' ? report : JSON.stringify(report));
  const run = spawnSync(process.execPath, [SCRIPT], {
    encoding: 'utf8',
    env: { ...process.env, KANAL_AUDIT_JSON: file },
    timeout: 20_000,
  });
  return { code: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

const counts = (c: Partial<Record<'info' | 'low' | 'moderate' | 'high' | 'critical', number>>) => ({
  info: 0,
  low: 0,
  moderate: 0,
  high: 0,
  critical: 0,
  total: Object.values(c).reduce((a, b) => a + b, 0),
  ...c,
});
const v2 = (vulnerabilities: Record<string, { name: string; severity: string }>, c: Parameters<typeof counts>[0]) => ({
  auditReportVersion: 2,
  vulnerabilities,
  metadata: { vulnerabilities: counts(c), dependencies: { prod: 180, dev: 0, optional: 3, total: 180 } },
});

describe('tools/security/audit.mjs', () => {
  it('passes with exit 0 and one summary line when nothing is high or critical', () => {
    const r = audit(
      v2(
        { 'brace-expansion': { name: 'brace-expansion', severity: 'low' }, qs: { name: 'qs', severity: 'moderate' } },
        { low: 1, moderate: 1 },
      ),
    );
    expect(r).toEqual({
      code: 0,
      stdout:
        'npm audit --omit=dev: ok: 0 critical, 0 high, 1 moderate, 1 low, 0 info (2 total, 180 production dependencies)',
      stderr: '',
    });
  });

  it('fails with exit 1 on a high advisory (npm 7+ report) and names the package', () => {
    const r = audit(
      v2({ pg: { name: 'pg', severity: 'high' }, qs: { name: 'qs', severity: 'low' } }, { high: 1, low: 1 }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'npm audit --omit=dev: FAIL: 0 critical, 1 high, 0 moderate, 1 low, 0 info (2 total, 180 production dependencies)',
    );
    expect(r.stderr).toContain('high/critical: pg (high)');
  });

  it('fails with exit 1 on a critical advisory in an npm 6 report', () => {
    const r = audit({
      advisories: { '1179': { module_name: 'minimist', severity: 'critical' } },
      metadata: { vulnerabilities: counts({ critical: 1 }), dependencies: 120 },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^npm audit --omit=dev: FAIL: 1 critical, 0 high/);
    expect(r.stderr).toContain('minimist (critical)');
  });

  it.each([
    [
      'the audit endpoint refusing the request (as here)',
      {
        message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
        method: 'POST',
        uri: 'https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
        statusCode: 405,
        body: '',
        error: { summary: '', detail: '' },
      },
      /audit endpoint .* unreachable or refused the request: 405 Method Not Allowed/,
    ],
    [
      'no network',
      {
        error: {
          code: 'ENOTFOUND',
          summary:
            'request to https://registry.npmjs.org/-/npm/v1/security/advisories/bulk failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org',
          detail: '',
        },
      },
      /audit endpoint .*ENOTFOUND/,
    ],
    [
      'no lockfile',
      { error: { code: 'ENOLOCK', summary: 'This command requires an existing lockfile.', detail: '' } },
      /ENOLOCK/,
    ],
    ['output that is not JSON', 'npm error audit endpoint returned an error', /not JSON/],
    ['a report without counts', { auditReportVersion: 2, vulnerabilities: {} }, /no metadata\.vulnerabilities/],
  ])('gives no verdict (exit 2, a message on stderr, nothing on stdout) for %s', (_what, report, message) => {
    const r = audit(report);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^npm audit: NO VERDICT \(exit 2\): /);
    expect(r.stderr).toMatch(message);
  });
});
