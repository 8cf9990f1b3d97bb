import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { eventSchema, inboundEventId, isEventType, type CloudEvent } from '@kanal/contracts';
import { REPO_ROOT } from '@kanal/testing';
import { normalizeWhatsappWeb } from './normalize-whatsapp-web';
import { CTX, SELF_IDENTITIES, fixture } from './test-kit';

const run = promisify(execFile);
const fixtures = join(REPO_ROOT, 'services/connector-whatsapp/src/mapping/__fixtures__');

async function normalize(...files: string[]) {
  const env = { ...process.env, WHATSAPP_ACCOUNT_ID: 'shop-tr' };
  const args = [join(REPO_ROOT, 'bin/kanal.mjs'), 'normalize', 'whatsapp-web', ...files.map((f) => join(fixtures, f))];
  const { stdout } = await run('node', args, { env, cwd: REPO_ROOT });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CloudEvent & { data: { externalId?: string; code?: string } });
}

const data = (event: CloudEvent | undefined) => event?.data as Record<string, unknown>;

it('kanal normalize whatsapp-web prints events and dead letters, one valid CloudEvent per line, the same ids on every run', async () => {
  const first = await normalize('upsert-append-protobuf-json.json', 'upsert-unmappable.json');
  const second = await normalize('upsert-append-protobuf-json.json', 'upsert-unmappable.json');
  // The image and the revoke (the CIPHERTEXT stub is held and prints nothing), then the unmappable file.
  expect(first.map((e) => e.type)).toEqual([
    'kanal.message.received.v1',
    'kanal.message.deleted.v1',
    'kanal.message.received.v1',
    ...Array(6).fill('kanal.dlq.record.v1'),
    'kanal.message.received.v1',
  ]);
  expect(first[0]!.id).toBe(inboundEventId('whatsapp', 'shop-tr', '3EB0OFFLINE01'));
  expect(first[3]!.data.code).toBe('WHATSAPP.NO_CONTENT');
  expect(second.map((e) => e.id)).toEqual(first.map((e) => e.id));
  for (const event of first) {
    expect(isEventType(event.type)).toBe(true);
    if (isEventType(event.type)) expect(eventSchema(event.type).safeParse(event).success).toBe(true);
  }
});

describe('normalizeWhatsappWeb', () => {
  const raw = (value: unknown) => Buffer.from(JSON.stringify(value));

  it('takes receivedAt from the options (a dead letter replay), for the event and any fallback', async () => {
    const [event] = await normalizeWhatsappWeb(
      raw(fixture('upsert-times.json').messages[0]),
      {},
      { receivedAt: CTX.receivedAt },
    );
    expect(data(event)).toMatchObject({
      receivedAt: CTX.receivedAt,
      occurredAt: CTX.receivedAt,
      flags: { dateFallback: true },
    });
  });

  it('names the business from WHATSAPP_SELF_JID when the payload has no session', async () => {
    const env = { WHATSAPP_SELF_JID: '905320000000:3@s.whatsapp.net, 77788899900011@lid' };
    const [event] = await normalizeWhatsappWeb(raw(fixture('upsert-notify-dm.json').messages[0]), env);
    expect(data(event)).toMatchObject({ accountId: 'default', recipient: { identities: SELF_IDENTITIES } });
  });

  it("prefers the payload's session (as a dead letter records it) over env", async () => {
    const payload = {
      ...fixture('upsert-notify-dm.json'),
      session: { id: 'shop-b', user: { id: '905320000000:3@s.whatsapp.net' } },
    };
    const events = await normalizeWhatsappWeb(raw(payload), {
      WHATSAPP_ACCOUNT_ID: 'other',
      WHATSAPP_SELF_JID: '15550123@s.whatsapp.net',
    });
    expect(data(events[0])).toMatchObject({
      accountId: 'shop-b',
      recipient: { identities: [{ type: 'phone', value: '+905320000000' }] },
    });
  });

  it('reads a Baileys event map with updates and reactions', async () => {
    const events = await normalizeWhatsappWeb(
      raw({
        'messages.update': fixture('messages-update.json'),
        'messages.reaction': fixture('messages-reaction.json'),
      }),
      { WHATSAPP_ACCOUNT_ID: 'shop-tr' },
    );
    expect(events.map((e) => e.type)).toEqual([
      'kanal.message.deleted.v1',
      'kanal.message.edited.v1',
      'kanal.message.status.v1',
      'kanal.reaction.changed.v1',
    ]);
  });

  it('rejects what is no Baileys payload at all', async () => {
    await expect(normalizeWhatsappWeb(Buffer.from('not json'), {})).rejects.toMatchObject({
      code: 'WHATSAPP.INVALID_INPUT',
    });
    await expect(normalizeWhatsappWeb(raw({ hello: 1 }), {})).rejects.toMatchObject({ code: 'WHATSAPP.INVALID_INPUT' });
  });
});
