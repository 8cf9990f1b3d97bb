import { describe, expect, it } from '@jest/globals';
import {
  exceededLimit,
  jsonBytes,
  storableMessage,
  TEXT_MAX_BYTES,
  type KanalEvent,
  type MessageData,
} from '@kanal/contracts';
import { mapUpsert } from './map-baileys-events';
import type { RawUpsert, RawWaMessage } from './raw-message';
import { CTX, SELF, eventOf, fixture } from './test-kit';

// Real-shaped upserts (the __fixtures__) carrying what the database cannot store or the broker
// cannot carry: the phone already shows the message, so each is kept, repaired and flagged.
const ctx = { ...CTX, self: SELF };
/** ~1 MB of text with NULs, a lone surrogate, bidi controls and a pair at the end of every piece. */
const MEGABYTE = `${'Merhaba\u0000 \uD83D \u202Edünya 😀 '.repeat(45_000)}son`;

const item = (id: string): RawWaMessage =>
  structuredClone(fixture('upsert-notify-dm.json').messages.find((m) => m.key?.id === id)!);

function outcomesOf(...messages: RawWaMessage[]) {
  const outcomes = mapUpsert({ type: 'notify', messages } as RawUpsert, ctx);
  for (const o of outcomes) if (o.result.kind === 'event') expectPublishable(o.result.event);
  return outcomes;
}

/** What every published event must pass: within the size caps, nothing the database refuses, the contract. */
function expectPublishable(event: KanalEvent) {
  eventOf({ kind: 'event', event, mediaIndexes: [] });
  expect(exceededLimit(event.data as MessageData, '')).toBeUndefined();
  expect(storableMessage(event.data).issues).toEqual([]);
}

describe('connector-whatsapp publishes only storable, bounded events', () => {
  it('keeps a 1 MB text with NULs and lone surrogates, from a year-9999 timestamp and a hostile pushName, flagged', () => {
    const raw = item('3EB0TEXT0001');
    raw.message = { conversation: MEGABYTE };
    raw.messageTimestamp = 253_402_300_799; // 9999-12-31T23:59:59Z
    raw.pushName = 'Ay\u0000şe \u2066Yılmaz\u2069';
    const [outcome] = outcomesOf(raw);
    const event = eventOf(outcome!.result);
    const data = event.data as MessageData;
    expect(jsonBytes(data.text)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
    expect(data.text!.startsWith('Merhaba \uFFFD \u202Edünya 😀 Merhaba')).toBe(true);
    expect(data.sender.displayName).toBe('Ayşe Yılmaz');
    expect(data.occurredAt).toBe(CTX.receivedAt);
    expect(event.time).toBe(CTX.receivedAt);
    expect(data.flags).toMatchObject({
      textTruncated: true,
      textSanitized: true,
      bidiControls: true,
      dateFallback: true,
    });
  });

  it('repairs the text of a reply and leaves out a quoted id it cannot store, keeping the message', () => {
    const reply = item('3EB0REPLY0002');
    reply.message = {
      extendedTextMessage: {
        text: `Evet\u0000 ${'\uDE00'}`,
        contextInfo: { stanzaId: '3EB0OURS\u00000001', participant: '905320000000@s.whatsapp.net' },
      },
    } as never;
    const [outcome] = outcomesOf(reply);
    const data = eventOf(outcome!.result).data as MessageData;
    expect(data.text).toBe('Evet \uFFFD');
    // The quoted id cannot be stored (and never repaired): the reference is left out, the message kept.
    expect(data.replyTo).toBeUndefined();
    expect(data.flags).toMatchObject({ textSanitized: true, identifierDropped: true });
  });

  it('dead-letters a message whose key id cannot be stored, with the raw item, and publishes the rest', () => {
    const bad = item('3EB0TEXT0001');
    bad.key!.id = '3EB0\u0000TEXT';
    const outcomes = outcomesOf(bad, item('3EB0SIXX0003'));
    expect(outcomes.map((o) => o.result.kind)).toEqual(['failed', 'event']);
    expect(outcomes[0]!.result).toEqual({
      kind: 'failed',
      code: 'WHATSAPP.EXTERNAL_ID_NOT_STORABLE',
      message: 'externalId holds a NUL character or an unpaired UTF-16 surrogate',
    });
    const letter = outcomes[0]!.letter!;
    expect(letter.code).toBe('WHATSAPP.EXTERNAL_ID_NOT_STORABLE');
    expect(JSON.parse(letter.payload as string).messages[0].key.id).toBe('3EB0\u0000TEXT');
  });
});
