import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { FsBlobStore } from '@kanal/blob-store';
import { parseEvent, type DlqRecordData } from '@kanal/contracts';
import { normalizeMetaInstagram, normalizeWhatsappCloud } from '../normalize-meta';
import { normalizeDelivery } from './normalize-delivery';
import { emptyBatch, mapItem } from './normalized-batch';

const fixture = (dir: string, name: string) => readFileSync(new URL(`../${dir}/__fixtures__/${name}`, import.meta.url));
const receivedAt = '2026-11-25T08:00:00.000Z';
const KNOWN = '106540352242922';
const letterData = (e: { data: unknown }) => e.data as DlqRecordData;
const dirs: string[] = [];
const tempDir = () => (dirs.push(mkdtempSync(join(tmpdir(), 'meta-dlq-'))), dirs.at(-1)!);
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('normalizeDelivery', () => {
  it('dead-letters the items of an account the deployment does not serve, one letter per item', async () => {
    const raw = fixture('whatsapp', 'two-messages-contacts-reversed.json');
    const delivery = await normalizeDelivery('whatsapp-cloud', raw, { receivedAt, knownAccounts: new Set([KNOWN]) });
    expect(delivery.events.map((e) => e.accountId)).toEqual([KNOWN, KNOWN]);
    expect(delivery.deadLetters.map((d) => [d.code, d.accountId, d.locator])).toEqual([
      ['META.UNKNOWN_ACCOUNT', '106540352249999', 'entry[1].changes[0].value.messages[0]'],
    ]);
    const [letter] = delivery.deadLetters;
    expect(parseEvent(JSON.parse(JSON.stringify(letter!.event)))).toMatchObject({ ok: true });
    expect(letterData(letter!.event)).toMatchObject({
      origin: 'provider',
      provider: 'whatsapp-cloud',
      channel: 'whatsapp',
      accountId: '106540352249999',
      contentType: 'application/json',
      receivedAt,
      key: 'whatsapp:106540352249999:905321112233',
      valueEncoding: 'utf8',
    });
    expect(letter!.event.subject).toBe('whatsapp:106540352249999:905321112233');
  });

  it('replays an unknown-account letter into the very event once the account is configured', async () => {
    const raw = fixture('whatsapp', 'two-messages-contacts-reversed.json');
    const first = await normalizeDelivery('whatsapp-cloud', raw, { receivedAt, knownAccounts: new Set([KNOWN]) });
    const direct = await normalizeDelivery('whatsapp-cloud', raw, { receivedAt });
    const value = Buffer.from(letterData(first.deadLetters[0]!.event).value);
    const replayed = await normalizeDelivery('whatsapp-cloud', value, {
      receivedAt,
      knownAccounts: new Set([KNOWN, '106540352249999']),
    });
    expect(replayed.deadLetters).toEqual([]);
    expect(replayed.events.map((e) => e.event)).toEqual(
      direct.events.filter((e) => e.accountId !== KNOWN).map((e) => e.event),
    );
  });

  it('gives a redelivered item the same letter id, whenever it arrives', async () => {
    const raw = fixture('whatsapp', 'bad-items.json');
    const a = await normalizeDelivery('whatsapp-cloud', raw, { receivedAt });
    const b = await normalizeDelivery('whatsapp-cloud', raw, { receivedAt: '2026-11-30T00:00:00.000Z' });
    expect(b.deadLetters.map((d) => d.event.id)).toEqual(a.deadLetters.map((d) => d.event.id));
    expect(new Set(a.deadLetters.map((d) => d.event.id)).size).toBe(a.deadLetters.length);
  });

  it('drops media jobs of messages it does not publish', async () => {
    const raw = fixture('whatsapp', 'media.json');
    const delivery = await normalizeDelivery('whatsapp-cloud', raw, { receivedAt, knownAccounts: new Set(['1']) });
    expect(delivery.events).toEqual([]);
    expect(delivery.media).toEqual([]);
    expect(delivery.deadLetters).toHaveLength(6);
  });

  it('keeps a payload too large to carry inline whole in the blob store', async () => {
    const store = new FsBlobStore(tempDir());
    const body = JSON.parse(fixture('whatsapp', 'text-turkish-escaped.json').toString('utf8'));
    // 600 kB of text (an event would cut it) in an item the contract refuses: a reply id over its limit.
    body.entry[0].changes[0].value.messages[0].text.body = 'ğ'.repeat(300_000);
    body.entry[0].changes[0].value.messages[0].context = { id: 'c'.repeat(1_025) };
    const delivery = await normalizeDelivery('whatsapp-cloud', Buffer.from(JSON.stringify(body)), {
      receivedAt,
      blobStore: store,
    });
    const data = letterData(delivery.deadLetters[0]!.event);
    expect(data).toMatchObject({ code: 'META.INVALID_EVENT', value: '' });
    expect(data.blobRef).toMatch(/^blob:sha256\//);
    const stored = JSON.parse((await buffer(await store.get(data.blobRef!))).toString('utf8'));
    expect(stored.entry[0].changes[0].value.messages[0].text.body).toHaveLength(300_000);
  });

  it('fails the delivery when the blob store cannot keep a payload (Meta must redeliver)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'not a directory');
    const body = JSON.parse(fixture('whatsapp', 'text-turkish-escaped.json').toString('utf8'));
    body.entry[0].changes[0].value.messages[0].text.body = 'x'.repeat(600_000);
    body.entry[0].changes[0].value.messages[0].id = 'wamid.\u0000'; // EXTERNAL_ID_NOT_STORABLE: a dead letter
    const broken = new FsBlobStore(join(dir, 'file', 'blobs'));
    await expect(
      normalizeDelivery('whatsapp-cloud', Buffer.from(JSON.stringify(body)), { receivedAt, blobStore: broken }),
    ).rejects.toThrow();
  });
});

describe('mapItem', () => {
  it('turns a mapper that throws on one item into a dead letter for that item only', () => {
    const batch = emptyBatch();
    const item = { accountId: KNOWN, locator: 'entry[0]', payload: () => '{}' };
    mapItem(batch, item, () => {
      throw new TypeError("Cannot read properties of undefined (reading 'body')");
    });
    expect(batch.deadLetters).toEqual([{ code: 'META.MAPPER_FAILED', message: 'mapper failed: TypeError', item }]);
  });
});

describe('the kanal normalize normalizers', () => {
  let stderr: string[];
  beforeEach(() => {
    stderr = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('return events and dead letters with the given receive time, diagnostics on stderr', async () => {
    const events = await normalizeWhatsappCloud(fixture('whatsapp', 'bad-items.json'), {}, { receivedAt });
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'kanal.dlq.record.v1')).toHaveLength(5);
    expect(types.filter((t) => t === 'kanal.message.received.v1')).toHaveLength(4);
    expect((events[0]!.data as { receivedAt: string }).receivedAt).toBe(receivedAt);
    expect(stderr.join('')).toContain('dead letter (META.NO_SENDER_IDENTITY) entry[0].changes[0].value.messages[3]');
  });

  it('apply the service’s known-accounts rule only when the account variable is set', async () => {
    const raw = fixture('social', 'instagram-messages.json');
    const open = await normalizeMetaInstagram(raw, {}, { receivedAt });
    const served = await normalizeMetaInstagram(
      raw,
      { META_INSTAGRAM_ACCOUNT_IDS: '17841400000000001' },
      { receivedAt },
    );
    expect(open.filter((e) => e.type === 'kanal.dlq.record.v1')).toHaveLength(0);
    expect(served.filter((e) => e.type === 'kanal.dlq.record.v1').map((e) => letterData(e).code)).toEqual([
      'META.UNKNOWN_ACCOUNT',
    ]);
    await expect(normalizeMetaInstagram(raw, { META_INSTAGRAM_ACCOUNT_IDS: 'abc' })).rejects.toMatchObject({
      code: 'CONFIG.INVALID',
    });
  });
});
