/**
 * `npm run generate:contracts`: writes the JSON Schema of every event type and the AsyncAPI 3
 * document from the zod schemas. A spec fails when the checked-in files are stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from './generated-files';

const root = new URL('../../..', import.meta.url).pathname;
const files = generatedFiles();
const schemaDir = join(root, 'libs/contracts/generated/json-schema');
mkdirSync(schemaDir, { recursive: true });
mkdirSync(join(root, 'docs'), { recursive: true });
for (const name of readdirSync(schemaDir)) if (!files.has(`libs/contracts/generated/json-schema/${name}`)) rmSync(join(schemaDir, name));
for (const [path, content] of files) writeFileSync(join(root, path), content);
process.stdout.write(`wrote ${files.size} files\n`);
