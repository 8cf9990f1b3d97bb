import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { REPO_ROOT } from '@kanal/testing';
import { ConfigError, parseConfig } from './load-config';
import { httpEnv, requireTokens } from './env-fragments';

const schema = z.object({ ...httpEnv }).superRefine(requireTokens);

describe('parseConfig', () => {
  it('parses with defaults and treats empty variables as unset', () => {
    const config = parseConfig(schema, { PORT: '8081', AUTH_TOKENS: 'a-token-of-sixteen-chars, ', HOST: '' });
    expect(config).toMatchObject({ PORT: 8081, HOST: '0.0.0.0', AUTH_TOKENS: ['a-token-of-sixteen-chars'] });
  });

  it('names every bad or missing variable', () => {
    expect(() => parseConfig(schema, { PORT: 'eighty' })).toThrow(ConfigError);
    try {
      parseConfig(schema, { PORT: 'eighty', AUTH_DISABLED: 'maybe' });
    } catch (error) {
      expect((error as ConfigError).variables).toEqual(expect.arrayContaining(['PORT', 'AUTH_DISABLED']));
      expect((error as Error).message).toMatch(/PORT: /);
    }
    expect(() => parseConfig(schema, { PORT: '1' })).toThrow(/AUTH_TOKENS: is required/);
  });
});

it('stops a process with a bad variable: non-zero exit and one line naming it', () => {
  const script = `
    import { z } from 'zod';
    import { loadConfigOrExit } from './libs/config/src/index.ts';
    loadConfigOrExit(z.object({ KAFKA_BROKERS: z.string().regex(/:/, 'must be host:port') }), { service: 'demo' });
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, KAFKA_BROKERS: 'nohost' },
    encoding: 'utf8',
  });
  expect(result.status).toBe(78);
  expect(result.stderr.trim().split('\n')).toEqual(['demo: invalid configuration: KAFKA_BROKERS: must be host:port']);
});
