import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';
import { generatedFiles } from './generated-files';

const REPO_ROOT = join(import.meta.dirname, '../../..');

it('has up-to-date generated JSON Schema and AsyncAPI files (run `npm run generate:contracts`)', () => {
  const stale: string[] = [];
  for (const [path, content] of generatedFiles()) {
    let current = '';
    try {
      current = readFileSync(join(REPO_ROOT, path), 'utf8');
    } catch {
      current = '(missing)';
    }
    if (current !== content) stale.push(path);
  }
  expect(stale).toEqual([]);
});
