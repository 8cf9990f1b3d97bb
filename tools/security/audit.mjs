#!/usr/bin/env node
// Production-dependency audit: `npm audit --omit=dev --json`, one summary line, and a verdict.
//
//   node tools/security/audit.mjs
//
// Exit 0: no high or critical advisory (lower severities are counted, not failed on).
// Exit 1: at least one high or critical advisory; the packages are listed on stderr.
// Exit 2: no verdict: the audit could not run (the registry's audit endpoint unreachable or
//         refusing the request, no lockfile, npm missing, unreadable output). Never a silent pass.
//
// KANAL_AUDIT_JSON=<file> reads a saved `npm audit --json` report instead of running npm (for
// checking a report from elsewhere, and for this script's own tests).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'];
const FAILING = new Set(['critical', 'high']);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TIMEOUT_MS = 120_000;

function noVerdict(reason) {
  console.error(`npm audit: NO VERDICT (exit 2): ${reason}`);
  process.exit(2);
}

/** The raw JSON text of the report, from npm or from KANAL_AUDIT_JSON. */
function readReport() {
  const saved = process.env.KANAL_AUDIT_JSON;
  if (saved) {
    try {
      return readFileSync(saved, 'utf8');
    } catch (error) {
      return noVerdict(`cannot read KANAL_AUDIT_JSON=${saved}: ${error.message}`);
    }
  }
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: TIMEOUT_MS,
    shell: process.platform === 'win32',
  });
  if (run.error) {
    const why = run.error.code === 'ETIMEDOUT' ? `timed out after ${TIMEOUT_MS / 1000} s` : run.error.message;
    return noVerdict(`could not run npm audit: ${why}`);
  }
  // npm exits non-zero both for "advisories found" and for "could not audit": the JSON decides.
  if (!run.stdout.trim()) {
    const stderr = run.stderr.trim().split('\n').slice(-3).join(' | ');
    return noVerdict(`npm audit printed no report (exit ${run.status}): ${stderr || 'no output'}`);
  }
  return run.stdout;
}

/** What went wrong, when the report is an error instead of an audit. */
function auditError(report) {
  if (!report || typeof report !== 'object') return 'the output is not a JSON object';
  const { error, message, statusCode, uri } = report;
  if (error || statusCode || (message && !report.metadata)) {
    const parts = [
      message,
      error?.code,
      error?.summary,
      error?.detail,
      statusCode && !String(message).includes(String(statusCode)) && `HTTP ${statusCode}${uri ? ` from ${uri}` : ''}`,
    ].filter(Boolean);
    const text = [...new Set(parts)].join('; ') || 'unknown error';
    const endpoint =
      statusCode || /E(NOTFOUND|CONNREFUSED|CONNRESET|AI_AGAIN|TIMEDOUT)|network|socket|audit endpoint/i.test(text)
        ? "the registry's audit endpoint (POST /-/npm/v1/security/advisories/bulk) is unreachable or refused the request: "
        : '';
    return `${endpoint}${text}`;
  }
  if (!report.metadata?.vulnerabilities) return 'the report has no metadata.vulnerabilities counts';
  return undefined;
}

/** Names of the packages with a failing advisory (npm 7+ `vulnerabilities`, npm 6 `advisories`). */
function failingPackages(report) {
  const out = new Map();
  for (const v of Object.values(report.vulnerabilities ?? {})) {
    if (FAILING.has(v.severity)) out.set(v.name, v.severity);
  }
  for (const a of Object.values(report.advisories ?? {})) {
    if (FAILING.has(a.severity)) out.set(a.module_name, a.severity);
  }
  return [...out].map(([name, severity]) => `${name} (${severity})`);
}

const text = readReport();
let report;
try {
  report = JSON.parse(text);
} catch {
  noVerdict(`the output is not JSON: ${text.trim().slice(0, 200)}`);
}
const problem = auditError(report);
if (problem) noVerdict(problem);

const counts = report.metadata.vulnerabilities;
const n = (severity) => Number(counts[severity] ?? 0);
const total = SEVERITIES.reduce((sum, s) => sum + n(s), 0);
const deps = report.metadata.dependencies;
const scanned = typeof deps === 'object' ? (deps.prod ?? deps.total) : deps;
const failing = n('critical') + n('high');
const verdict = failing > 0 ? 'FAIL' : 'ok';
console.log(
  `npm audit --omit=dev: ${verdict}: ${SEVERITIES.map((s) => `${n(s)} ${s}`).join(', ')} (${total} total` +
    `${scanned !== undefined ? `, ${scanned} production dependencies` : ''})`,
);
if (failing > 0) {
  const names = failingPackages(report);
  if (names.length > 0) console.error(`high/critical: ${names.join(', ')}`);
  console.error('run `npm audit --omit=dev` for the advisories and fixes');
  process.exit(1);
}
