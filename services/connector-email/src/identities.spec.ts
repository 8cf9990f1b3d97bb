import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { MessageData } from '@kanal/contracts';
import { normalizeImap } from './normalize-eml';

const blobDir = mkdtempSync(join(tmpdir(), 'email-identities-'));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));
const RECEIVED_AT = '2025-11-26T08:00:00.000Z';

async function normalize(fixture: string, env: Record<string, string> = {}) {
  const raw = readFileSync(join(import.meta.dirname, '__fixtures__', fixture));
  const [event] = await normalizeImap(
    raw,
    { BLOB_DIR: blobDir, EMAIL_ACCOUNT_ID: 'support@example.test', ...env },
    { receivedAt: RECEIVED_AT },
  );
  return { event: event!, data: event!.data as MessageData };
}
const email = (value: string) => ({ type: 'email', value });

describe('a library’s opinion of an address never deletes the message', () => {
  it('a From the address parser rejects keeps the message and the name, flagged identityFallback', async () => {
    const { data, event } = await normalize('from-unparseable.eml');
    expect(event.type).toBe('kanal.message.received.v1');
    expect(data.sender).toEqual({ displayName: 'Ayşe Yılmaz', identities: [] });
    expect(data.text).toBe('İade ne zaman yapılır?');
    expect(data.flags).toEqual({ identityFallback: true });
  });

  it.each([
    ['address-quoted-local-part.eml', '"ayse yilmaz"@example.com'],
    ['address-idn-domain.eml', 'ozlem@örnek.com.tr'],
    ['address-upper-case.eml', 'kemal.sahin@example.com'],
  ])('%s keeps its identity (%s)', async (fixture, value) => {
    const { data } = await normalize(fixture);
    expect(data.sender.identities).toEqual([email(value)]);
    expect(data.flags).toBeUndefined();
  });
});

describe('dates', () => {
  it('no Date header and no Received hop: occurredAt is the receive time, flagged, never 1970', async () => {
    const { data } = await normalize('missing-date.eml');
    expect(data).toMatchObject({ occurredAt: RECEIVED_AT, receivedAt: RECEIVED_AT, flags: { dateFallback: true } });
  });

  it('an unparsable Date takes the newest Received hop of a bare .eml', async () => {
    const { data } = await normalize('malformed-date.eml');
    expect(data).toMatchObject({ occurredAt: '2025-11-24T07:00:00.000Z', flags: { dateFallback: true } });
  });
});

describe('the business side', () => {
  it('recipient: the mailbox, the newest Delivered-To / X-Original-To, To/Cc on its own domain; never a friend elsewhere', async () => {
    const { data } = await normalize('business-aliases.eml');
    expect(data.recipient).toEqual({
      identities: [
        email('support@example.test'),
        email('satis@example.test'),
        email('destek@example.test'),
        email('muhasebe@example.test'),
      ],
    });
    expect(data.sender.identities).toEqual([email('derya@gmail.example')]);
  });

  it('an ordinary inbound message names the mailbox as recipient', async () => {
    expect((await normalize('charset-windows-1254.eml')).data.recipient).toEqual({
      identities: [email('support@example.test')],
    });
  });

  it('Sent-folder mail is outbound with the business (mailbox and the alias it was sent from) as sender', async () => {
    const { data, event } = await normalize('sent-from-alias.eml', { EMAIL_SENT_FOLDER: 'true' });
    expect(event.type).toBe('kanal.message.sent.v1');
    expect(data.direction).toBe('outbound');
    expect(data.sender).toEqual({
      displayName: 'Satış',
      identities: [email('support@example.test'), email('satis@example.test')],
    });
    expect(data.recipient).toEqual({ displayName: 'Derya', identities: [email('derya@gmail.example')] });
    expect(data.conversationRef).toBe('aliases-1@gmail.example');
  });
});
