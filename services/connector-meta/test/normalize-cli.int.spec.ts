import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { parseEvent } from '@kanal/contracts';
import { REPO_ROOT } from '@kanal/testing';

const run = promisify(execFile);
const FIXTURES = 'services/connector-meta/src';

async function normalize(provider: string, file: string) {
  const { stdout } = await run('node', ['bin/kanal.mjs', 'normalize', provider, join(FIXTURES, file)], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('kanal normalize for the Meta providers', () => {
  it.each([
    ['whatsapp-cloud', 'whatsapp/__fixtures__/interactive-reactions.json', 6],
    ['meta-instagram', 'social/__fixtures__/instagram-messages.json', 10],
    ['meta-messenger', 'social/__fixtures__/messenger-receipts.json', 9],
    // 4 events and 5 dead letters, exactly what the webhook would publish.
    ['whatsapp-cloud', 'whatsapp/__fixtures__/bad-items.json', 9],
  ])(
    '%s prints one valid CloudEvent per line with the same ids on every run',
    async (provider, file, count) => {
      const [first, second] = await Promise.all([normalize(provider, file), normalize(provider, file)]);
      expect(first).toHaveLength(count);
      for (const event of first) expect(parseEvent(event)).toMatchObject({ ok: true });
      expect(second.map((e) => e.id)).toEqual(first.map((e) => e.id));
      expect(first[0].source).toBe('kanal/connector-meta');
    },
    60_000,
  );
});
