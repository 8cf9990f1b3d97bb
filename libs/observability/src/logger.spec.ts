import { Writable } from 'node:stream';
import { expect, it } from '@jest/globals';
import { createLogger, maskPii } from './logger';

it('redacts message text, phones, emails and identity values from log lines', () => {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  const logger = createLogger({ service: 'test', destination });
  logger.info(
    {
      eventId: 'e-1',
      text: 'Kartımdan iki kez çekildi',
      sender: { displayName: 'Ayşe Yılmaz', identities: [{ type: 'phone', value: '+905321234567' }] },
      data: { email: 'ayse@example.com', phone: '+905321234567' },
    },
    'handled',
  );
  const line = lines.join('');
  expect(line).toContain('"eventId":"e-1"');
  for (const pii of ['Kartımdan', 'Ayşe', '+905321234567', 'ayse@example.com']) expect(line).not.toContain(pii);
});

it('masks emails and phone numbers inside free text', () => {
  expect(maskPii('cannot parse ayse@example.com or +90 532 123 45 67 here')).toBe('cannot parse [email] or [phone] here');
});
