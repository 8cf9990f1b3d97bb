import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from '@jest/globals';
import { eventSchema, inboundEventId, isEventType } from '@kanal/contracts';
import { REPO_ROOT } from '@kanal/testing';

const run = promisify(execFile);
const fixture = join(REPO_ROOT, 'services/connector-whatsapp/src/mapping/__fixtures__/upsert-append-protobuf-json.json');

async function normalize(file: string) {
  const env = { ...process.env, WHATSAPP_ACCOUNT_ID: 'shop-tr', DEFAULT_PHONE_REGION: 'TR' };
  const { stdout } = await run('node', [join(REPO_ROOT, 'bin/kanal.mjs'), 'normalize', 'whatsapp-web', file], { env, cwd: REPO_ROOT });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; type: string; data: { externalId: string } });
}

it('kanal normalize whatsapp-web prints one valid CloudEvent per line with the same ids on every run', async () => {
  const first = await normalize(fixture);
  const second = await normalize(fixture);
  // The image and the revoke; the CIPHERTEXT stub is held back and prints nothing.
  expect(first.map((e) => e.type)).toEqual(['kanal.message.received.v1', 'kanal.message.deleted.v1']);
  expect(first[0]!.id).toBe(inboundEventId('whatsapp', 'shop-tr', '3EB0OFFLINE01'));
  expect(second.map((e) => e.id)).toEqual(first.map((e) => e.id));
  for (const event of first) {
    expect(isEventType(event.type)).toBe(true);
    if (isEventType(event.type)) expect(eventSchema(event.type).safeParse(event).success).toBe(true);
  }
}, 60_000);
