import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  exceededLimit,
  jsonBytes,
  parseEvent,
  storableMessage,
  TEXT_MAX_BYTES,
  type CloudEvent,
  type DlqRecordData,
  type MessageData,
} from '@kanal/contracts';
import { normalizeDelivery } from './normalize-delivery';
import type { MetaProvider } from './normalize-webhook';

// Real-shaped deliveries (the __fixtures__) carrying what the database cannot store or the broker
// cannot carry: Meta has already been answered 200, so each is kept, repaired and flagged.
const receivedAt = '2026-11-25T08:00:00.000Z';
const fixture = (dir: string, name: string) =>
  JSON.parse(readFileSync(new URL(`../${dir}/__fixtures__/${name}`, import.meta.url), 'utf8'));
/** ~1 MB of text with NULs, a lone surrogate, bidi controls and a pair at the end of every piece. */
const MEGABYTE = `${'Merhaba\u0000 \uD83D \u202Edünya 😀 '.repeat(45_000)}son`;
const YEAR_9999_SECONDS = '253402300799';

async function publish(provider: MetaProvider, body: unknown) {
  const delivery = await normalizeDelivery(provider, Buffer.from(JSON.stringify(body)), { receivedAt });
  for (const { event } of delivery.events) expectPublishable(event);
  return delivery;
}

/** What every published event must pass: within the size caps, nothing the database refuses, the contract. */
function expectPublishable(event: CloudEvent) {
  const data = event.data as MessageData;
  expect(exceededLimit(data, '')).toBeUndefined();
  expect(storableMessage(data).issues).toEqual([]);
  const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
  if (!parsed.ok) throw new Error(`${parsed.code} ${parsed.message}`);
}

const messages = (delivery: Awaited<ReturnType<typeof publish>>) =>
  delivery.events.map((e) => e.event.data as MessageData);

describe('connector-meta publishes only storable, bounded events', () => {
  it('WhatsApp Cloud: a 1 MB body with NULs and lone surrogates, a year-9999 timestamp and a hostile name', async () => {
    const body = fixture('whatsapp', 'text-turkish-escaped.json');
    const value = body.entry[0].changes[0].value;
    value.messages[0].text.body = MEGABYTE;
    value.messages[0].timestamp = YEAR_9999_SECONDS;
    value.contacts[0].profile.name = 'Ay\u0000şe \u202Egpj.exe';
    const delivery = await publish('whatsapp-cloud', body);
    expect(delivery.deadLetters).toEqual([]);
    const [data] = messages(delivery);
    expect(jsonBytes(data!.text)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
    expect(data!.text!.startsWith('Merhaba \uFFFD \u202Edünya 😀 Merhaba')).toBe(true);
    expect(data!.sender.displayName).toBe('Ayşe gpj.exe');
    expect(data!.occurredAt).toBe(receivedAt);
    expect(data!.flags).toMatchObject({
      textTruncated: true,
      textSanitized: true,
      bidiControls: true,
      dateFallback: true,
    });
    expect(delivery.events[0]!.event.time).toBe(receivedAt);
  });

  it('WhatsApp Cloud: an unstorable BSUID is left out while the phone stays; an unstorable sender number is a dead letter', async () => {
    const body = fixture('whatsapp', 'unsupported-username.json');
    const value = body.entry[0].changes[0].value;
    value.messages[0].from_user_id = 'TR.83271\u0000';
    value.contacts[0].user_id = 'TR.83271\u0000';
    value.messages[1].from_user_id = 'TR.\uDC00';
    value.contacts[1].user_id = 'TR.\uDC00';
    const delivery = await publish('whatsapp-cloud', body);
    const [first] = messages(delivery);
    expect(first!.sender.identities).toEqual([{ type: 'phone', value: '+905321234567' }]);
    expect(first!.flags).toMatchObject({ identityFallback: true });
    // The username sender has no number: its only identity (and conversation) cannot be stored.
    expect(delivery.deadLetters.map((d) => [d.code, d.locator])).toEqual([
      ['META.CONVERSATION_REF_NOT_STORABLE', 'entry[0].changes[0].value.messages[1]'],
    ]);
    const letter = delivery.deadLetters[0]!.event.data as DlqRecordData;
    expect(JSON.parse(letter.value).entry[0].changes[0].value.messages[0].from_user_id).toBe('TR.\uDC00');
  });

  it('WhatsApp Cloud: a message id with a NUL is dead-lettered with its raw item, never published', async () => {
    const body = fixture('whatsapp', 'text-turkish-escaped.json');
    body.entry[0].changes[0].value.messages[0].id = 'wamid.\u0000HBgM';
    const delivery = await publish('whatsapp-cloud', body);
    expect(delivery.events).toEqual([]);
    expect(delivery.deadLetters.map((d) => d.code)).toEqual(['META.EXTERNAL_ID_NOT_STORABLE']);
    const letter = delivery.deadLetters[0]!.event.data as DlqRecordData;
    expect(letter.message).toBe(
      'kanal.message.received.v1: externalId holds a NUL character or an unpaired UTF-16 surrogate',
    );
    expect(JSON.parse(letter.value).entry[0].changes[0].value.messages[0].id).toBe('wamid.\u0000HBgM');
  });

  it.each([
    ['meta-instagram', 'social', 'instagram-messages.json'],
    ['meta-messenger', 'social', 'messenger-messages.json'],
  ] as const)('%s: a 1 MB text with lone surrogates and a year-9999 timestamp', async (provider, dir, name) => {
    const body = fixture(dir, name);
    const item = body.entry[0].messaging.find((m: { message?: { text?: string } }) => m.message?.text);
    item.message.text = MEGABYTE;
    item.timestamp = Number(YEAR_9999_SECONDS) * 1000;
    const delivery = await publish(provider, body);
    expect(delivery.deadLetters).toEqual([]);
    const data = messages(delivery).find((d) => d.externalId === item.message.mid)!;
    expect(data.text!.startsWith('Merhaba \uFFFD')).toBe(true);
    expect(data.occurredAt).toBe(receivedAt);
    expect(data.flags).toMatchObject({ textTruncated: true, textSanitized: true, dateFallback: true });
  });
});
