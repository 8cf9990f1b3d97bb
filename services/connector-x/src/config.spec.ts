import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '@kanal/config';
import { configSchema } from './config';

describe('connector-x config', () => {
  it('builds one account per X_ACCOUNTS entry from its token variables', () => {
    const config = parseConfig(configSchema, {
      X_ACCOUNTS: '111, 222',
      X_ACCESS_TOKEN_111: 'oauth2-user-token',
      X_ACCESS_TOKEN_222: 'oauth1-token',
      X_ACCESS_SECRET_222: 'oauth1-secret',
      X_CONSUMER_KEY: 'ck',
      X_CONSUMER_SECRET: 'cs',
      UNRELATED: 'not carried',
    });
    expect(config.PORT).toBe(8085);
    expect(config.accounts).toEqual([
      { userId: '111', auth: { type: 'oauth2-user', accessToken: 'oauth2-user-token' } },
      { userId: '222', auth: { type: 'oauth1', accessToken: 'oauth1-token', accessSecret: 'oauth1-secret' } },
    ]);
    expect(config).not.toHaveProperty('UNRELATED');
    expect(config).not.toHaveProperty('X_ACCESS_TOKEN_111');
  });

  it('names the missing token variable, and the secret the webhook needs', () => {
    expect(() => parseConfig(configSchema, { X_ACCOUNTS: '111' })).toThrow(/X_ACCESS_TOKEN_111: is required/);
    expect(() => parseConfig(configSchema, { X_WEBHOOK_ENABLED: 'true', X_ACCOUNT_ID: '1' })).toThrow(
      /X_CONSUMER_SECRET: is required/,
    );
    expect(() => parseConfig(configSchema, { X_API_BASE_URL: 'http://127.0.0.1:1/' })).toThrow(ConfigError);
    expect(() => parseConfig(configSchema, { X_ACCOUNTS: '@shop' })).toThrow(/X_ACCOUNTS/);
  });
});
