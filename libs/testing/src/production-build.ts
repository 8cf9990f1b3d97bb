import { execFile } from 'node:child_process';
import { cp, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './repo-root';

const run = promisify(execFile);

/**
 * Bundles a service exactly as deploy/Dockerfile does (esbuild, npm packages external) into
 * `<buildDir>/<service>/dist/main.mjs`, with its migrations and config beside it, so benchmarks
 * measure the process that production runs (no tsx transform in memory or on the hot path).
 * The folder is rewritten: runs that may overlap on one machine (fault suite, report bench) pass
 * a folder of their own. It must stay under the repository so npm imports resolve.
 */
export async function productionBuild(service: string, buildDir = join(REPO_ROOT, '.kanal', 'build')): Promise<string> {
  const out = join(buildDir, service);
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, 'dist'), { recursive: true });
  await run(
    join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'),
    [
      join('services', service, 'src', 'main.ts'),
      '--bundle',
      '--platform=node',
      '--target=node20',
      '--format=esm',
      '--packages=external',
      '--tsconfig=tsconfig.base.json',
      `--outfile=${join(out, 'dist', 'main.mjs')}`,
      '--log-level=warning',
    ],
    { cwd: REPO_ROOT },
  );
  for (const dir of ['migrations', 'config']) {
    const from = join(REPO_ROOT, 'services', service, dir);
    const exists = await stat(from).then(
      () => true,
      () => false,
    );
    if (exists) await cp(from, join(out, dir), { recursive: true });
  }
  return join(out, 'dist', 'main.mjs');
}
