import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DlqRecordData, MessageData } from '@kanal/contracts';
import { waitFor } from '@kanal/testing';
import { signBody } from '../src/webhook/verify-signature';
import { OLD_SECRET, startHarness, VERIFY_TOKEN, type Harness } from './harness';

const fixture = (dir: string, name: string) =>
  readFileSync(new URL(`../src/${dir}/__fixtures__/${name}`, import.meta.url));
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(() => h.stop(), 30_000);

const idsOf = (externalIds: string[]) => h.seen.filter((e) => externalIds.includes((e.data as MessageData).externalId));

describe('connector-meta webhooks over HTTP', () => {
  it('answers the subscription handshake with the exact challenge, 403 otherwise', async () => {
    const ok = await fetch(
      `${h.base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const bad = await fetch(`${h.base}/webhooks/instagram?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`);
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ code: 'META.VERIFY_FAILED' });
  });

  it('publishes a signed \\uXXXX-escaped body durably before answering 200', async () => {
    const raw = fixture('whatsapp', 'text-turkish-escaped.json');
    const res = await h.post('/webhooks/whatsapp', raw);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', published: 1 });
    const [event] = await waitFor(
      () => {
        const found = idsOf(['wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhggQTFBQjEyMzQ1Njc4OTBBQkNERUYA']);
        return found.length ? found : undefined;
      },
      { what: 'the published message' },
    );
    expect((event!.data as MessageData).text).toBe('İyi günler, siparişim nerede? Ödeme çekildi 🙏');
  });

  it('accepts a body signed with the previous app secret during a rotation', async () => {
    const raw = fixture('social', 'messenger-messages.json');
    const res = await h.post('/webhooks/messenger', raw, signBody(raw, OLD_SECRET));
    expect(res.status).toBe(200);
    await waitFor(() => idsOf(['m_ECHO01']).length > 0, { what: 'messenger echo' });
  });

  it('refuses missing, wrong and re-serialised signatures with 401 and counts them', async () => {
    const raw = fixture('whatsapp', 'text-turkish-escaped.json');
    const reserialised = JSON.stringify(JSON.parse(raw.toString('utf8')));
    const missing = await h.post('/webhooks/whatsapp', raw, null);
    const wrong = await h.post('/webhooks/whatsapp', raw, signBody(raw, 'not-the-app-secret'));
    const resigned = await h.post('/webhooks/whatsapp', reserialised, signBody(raw, 'app-secret-current-0001'));
    expect([missing.status, wrong.status, resigned.status]).toEqual([401, 401, 401]);
    expect(await missing.json()).toEqual({ code: 'META.SIGNATURE_INVALID', message: 'X-Hub-Signature-256 is missing' });
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(
      /kanal_meta_signature_rejected_total\{[^}]*provider="whatsapp-cloud"[^}]*reason="missing"[^}]*\} 1/,
    );
    expect(metrics).toMatch(/kanal_meta_signature_rejected_total\{[^}]*reason="mismatch"[^}]*\} 2/);
  });

  it('refuses a body over 3 MB with 413', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 10, 0x20);
    const res = await h.post('/webhooks/whatsapp', big);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'HTTP.BODY_TOO_LARGE' });
  });

  it('answers 400 with a reason for a signed body that is not a webhook of that provider', async () => {
    const raw = fixture('social', 'instagram-state.json');
    const res = await h.post('/webhooks/whatsapp', raw);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'META.INVALID_BODY' });
  });

  it('acknowledges an unknown account with 200 and dead-letters its item for a replay after the config fix', async () => {
    const raw = fixture('whatsapp', 'two-messages-contacts-reversed.json');
    const res = await h.post('/webhooks/whatsapp', raw);
    expect(await res.json()).toMatchObject({ published: 2, deadLettered: 1, skipped: 0 });
    await waitFor(() => idsOf(['wamid.ZEYNEP0001', 'wamid.MEHMET0001']).length === 2, {
      what: 'known-account messages',
    });
    const letter = await waitFor(() => h.dead.find((e) => (e.data as DlqRecordData).accountId === '106540352249999'), {
      what: 'the unknown account letter',
    });
    const data = letter.data as DlqRecordData;
    expect(data).toMatchObject({
      origin: 'provider',
      code: 'META.UNKNOWN_ACCOUNT',
      provider: 'whatsapp-cloud',
      item: 'entry[1].changes[0].value.messages[0]',
    });
    expect(JSON.parse(data.value).entry[0].changes[0].value.messages[0].id).toBe('wamid.ALI0001');
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(/kanal_meta_dead_lettered_total\{[^}]*code="META.UNKNOWN_ACCOUNT"[^}]*\} 1/);
    // The known account's two messages prove the batch was consumed; the unknown one is not an event.
    expect(idsOf(['wamid.ALI0001'])).toHaveLength(0);
  });

  it('gives a byte-identical redelivery the same event ids', async () => {
    const raw = fixture('social', 'instagram-state.json');
    expect((await h.post('/webhooks/instagram', raw)).status).toBe(200);
    expect((await h.post('/webhooks/instagram', raw)).status).toBe(200);
    await waitFor(
      () =>
        h.seen.filter((e) => (e.data as MessageData).externalId === 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjSTANDBY')
          .length === 2,
      {
        what: 'both deliveries',
      },
    );
    const fromState = h.seen.filter(
      (e) => (e.data as MessageData).accountId === '17841400000000001' && e.time >= '2025-11-25T06:11:40',
    );
    const ids = fromState.map((e) => e.id);
    expect(ids).toHaveLength(14);
    expect(new Set(ids).size).toBe(7);
  });
});
