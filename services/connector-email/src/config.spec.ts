import { expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '@kanal/config';
import { configSchema } from './config';

const mailbox = { address: 'support@example.test', host: 'imap.example.test', user: 'support', password: 'pw' };

it('parses mailboxes with safe defaults (implicit TLS, INBOX, no move, From as the customer)', () => {
  const config = parseConfig(configSchema, { EMAIL_MAILBOXES: JSON.stringify([mailbox]) });
  expect(config.PORT).toBe(8083);
  expect(config.EMAIL_MAILBOXES[0]).toMatchObject({ port: 993, secure: true, startTls: true, tlsRejectUnauthorized: true, folders: ['INBOX'], preferReplyTo: false });
});

it.each([
  ['not JSON', '{oops'],
  ['no credentials', JSON.stringify([{ ...mailbox, password: undefined }])],
  ['empty list', '[]'],
])('names EMAIL_MAILBOXES when it is %s', (_case, value) => {
  expect(() => parseConfig(configSchema, { EMAIL_MAILBOXES: value })).toThrow(ConfigError);
  try {
    parseConfig(configSchema, { EMAIL_MAILBOXES: value });
  } catch (error) {
    expect((error as ConfigError).variables).toEqual(['EMAIL_MAILBOXES']);
  }
});
