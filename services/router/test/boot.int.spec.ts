import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@kanal/testing';
import { DEFAULT_ROUTING_CONFIG } from '../src/config';

/** Runs the real entry point as operators do and returns its exit code and stderr. */
function boot(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/router/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', AUTH_TOKENS: 'router-test-token-0123456789', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'router-bad-')), 'routing.yaml');
  writeFileSync(file, text);
  return file;
}

describe('router boot', () => {
  it('refuses to start with an invalid routing config, naming the field and line', async () => {
    const text = readFileSync(DEFAULT_ROUTING_CONFIG, 'utf8').replace('then: { queue: payments, priority: P2', 'then: { queue: payment, priority: P2');
    const { code, stderr } = await boot({ ROUTER_CONFIG: configFile(text) });
    expect(code).toBe(78);
    expect(stderr).toMatch(/router: invalid routing config \(ROUTER_CONFIG\): .*rules\.1\.then\.queue \(line \d+\): unknown queue "payment"/);
  });

  it('refuses to start with a wrong priority', async () => {
    const text = readFileSync(DEFAULT_ROUTING_CONFIG, 'utf8').replace('priority: P1, tags: [security]', 'priority: P0, tags: [security]');
    const { code, stderr } = await boot({ ROUTER_CONFIG: configFile(text) });
    expect(code).toBe(78);
    expect(stderr).toMatch(/rules\.0\.then\.priority/);
  });

  it('refuses to start without API tokens, naming the variable', async () => {
    const { code, stderr } = await boot({ AUTH_TOKENS: '' });
    expect(code).toBe(78);
    expect(stderr).toMatch(/AUTH_TOKENS/);
  });
});
