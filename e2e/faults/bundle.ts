import { execFile } from 'node:child_process';
import { cp, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@kanal/testing';

const run = promisify(execFile);

/**
 * The service bundled exactly as `productionBuild` (and deploy/Dockerfile) does, but into this
 * run's own folder: `productionBuild` deletes and rewrites `.kanal/build/<service>`, which a
 * benchmark running at the same time on this machine may be starting from. The folder stays under
 * the repository so the bundle's external npm imports resolve from its node_modules.
 */
export async function bundleService(service: string, runDir: string): Promise<string> {
  const out = join(runDir, service);
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
  // Migrations and the default routing config are found relative to the bundle, as in the image.
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
