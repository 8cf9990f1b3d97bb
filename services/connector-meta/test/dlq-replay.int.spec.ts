import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DlqRecordData, MessageEditedData } from '@kanal/contracts';
import { REPO_ROOT, waitFor } from '@kanal/testing';
import { META_CODES } from '../src/normalize/meta-codes';
import { normalizeWebhook, type NormalizeWebhook } from '../src/normalize/normalize-webhook';
import { startHarness, WA_PHONE_ID, type Harness } from './harness';

const run = promisify(execFile);

const ORIGINAL = 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgST1JJR0lOQUxSRVBMQVkA';
const EDIT = 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgSRURJVFJFUExBWTAxAA==';
const TEXT = 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgSVEVYVFJFUExBWTAxAA==';

// Shaped as Meta sends it; the edit arrives beside a plain text and a status no mapper knows.
const body = JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '908505551234', phone_number_id: WA_PHONE_ID },
            contacts: [{ profile: { name: 'Ay\u015fe' }, wa_id: '905321234567' }],
            messages: [
              {
                from: '905321234567',
                id: TEXT,
                timestamp: '1764052000',
                type: 'text',
                text: { body: 'Sipari\u015fim 41' },
              },
              {
                from: '905321234567',
                id: EDIT,
                timestamp: '1764052001',
                type: 'edit',
                edit: {
                  original_message_id: ORIGINAL,
                  message: { type: 'text', text: { body: 'Sipari\u015fim 42 numaral\u0131' } },
                },
              },
            ],
            statuses: [
              {
                id: 'wamid.OUTBOUNDREPLAY01',
                status: 'exploded',
                timestamp: '1764052002',
                recipient_id: '905321234567',
              },
            ],
          },
        },
      ],
    },
  ],
}).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The mapper of a release that did not know `type: "edit"` yet: today's mapper, with each edit
 * dead-lettered as that release did. The replay below then runs today's real mapper.
 */
const olderMapper: NormalizeWebhook = (provider, raw, options) => {
  const batch = normalizeWebhook(provider, raw, options);
  const edits = batch.events.filter((e) => e.event.type === 'kanal.message.edited.v1');
  return {
    ...batch,
    events: batch.events.filter((e) => !edits.includes(e)),
    deadLetters: [
      ...batch.deadLetters,
      ...edits.map(({ item }) => ({ code: META_CODES.unmappedItem, message: 'message type edit is not mapped', item })),
    ],
  };
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { normalize: olderMapper });
}, 60_000);
afterAll(() => h?.stop(), 60_000);

const letter = (code: string) => h.dead.find((e) => (e.data as DlqRecordData).code === code);

describe('a webhook item the running mapper cannot handle', () => {
  it('is answered 200, dead-lettered raw, and replayed by kanal dlq replay into the event today’s mapper gives', async () => {
    const res = await h.post('/webhooks/whatsapp', body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', published: 1, deadLettered: 2, skipped: 0 });

    const [edit, status] = await waitFor(
      () => {
        const found = [letter(META_CODES.unmappedItem), letter(META_CODES.unknownStatus)];
        return found.every(Boolean) ? found : undefined;
      },
      { what: 'both dead letters' },
    );
    const editData = edit!.data as DlqRecordData;
    expect(editData).toMatchObject({
      origin: 'provider',
      provider: 'whatsapp-cloud',
      accountId: WA_PHONE_ID,
      item: 'entry[0].changes[0].value.messages[1]',
    });
    const payload = JSON.parse(editData.value);
    expect(payload.entry[0].changes[0].value).toEqual({
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '908505551234', phone_number_id: WA_PHONE_ID },
      contacts: [{ profile: { name: 'Ayşe' }, wa_id: '905321234567' }],
      messages: [JSON.parse(body).entry[0].changes[0].value.messages[1]],
    });
    expect(edit!.subject).toBe(`whatsapp:${WA_PHONE_ID}:905321234567`);
    await waitFor(() => h.seen.some((e) => (e.data as { externalId: string }).externalId === TEXT), {
      what: 'the text message',
    });

    // The real CLI, on the suite's topics, with the deployment's account configuration.
    const env = {
      ...process.env,
      KAFKA_BROKERS: h.brokers,
      KAFKA_TOPIC_PREFIX: h.prefix,
      META_WHATSAPP_PHONE_NUMBER_IDS: WA_PHONE_ID,
      LOG_LEVEL: 'silent',
    };
    const replay = await run('node', ['bin/kanal.mjs', 'dlq', 'replay', '--provider', 'whatsapp-cloud'], {
      cwd: REPO_ROOT,
      env,
    }).then(
      (out) => ({ code: 0, ...out }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    // A letter still failing is reported as such: exit code 2, and its line says why.
    expect(replay.code).toBe(2);
    const outcomes = replay.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; result: string; code?: string; events?: number });
    expect(outcomes.map((o) => [o.id, o.result, o.result === 'replayed' ? o.events : o.code]).sort()).toEqual(
      [
        [edit!.id, 'replayed', 1],
        [status!.id, 'still-failing', META_CODES.unknownStatus],
      ].sort(),
    );
    expect(replay.stderr).toContain('replayed 1 dead letter(s); 1 still failing');

    // The replayed event is the one today's mapper gives the original delivery directly: same id, same content.
    const direct = normalizeWebhook('whatsapp-cloud', Buffer.from(body), {
      receivedAt: editData.receivedAt!,
    }).events.find((e) => e.event.type === 'kanal.message.edited.v1')!.event;
    const replayed = await waitFor(() => h.seen.find((e) => e.type === 'kanal.message.edited.v1'), {
      what: 'the replayed edit',
    });
    expect(replayed.id).toBe(direct.id);
    expect(replayed.data).toEqual(direct.data);
    expect(replayed.data as MessageEditedData).toMatchObject({
      externalId: EDIT,
      target: { externalId: ORIGINAL },
      text: 'Siparişim 42 numaralı',
      sender: { identities: [{ type: 'phone', value: '+905321234567' }] },
    });
  }, 120_000);
});
