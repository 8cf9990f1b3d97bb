import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  exceededLimit,
  jsonBytes,
  parseEvent,
  storableMessage,
  TEXT_MAX_BYTES,
  type DlqRecordData,
  type MessageData,
} from '@kanal/contracts';
import { deadLettersOf } from '../dead-letters';
import { normalizeXPayload } from '../normalize-x-dm';

// Real-shaped pages and webhook bodies (the __fixtures__) carrying what the database cannot
// store or the broker cannot carry: X has already delivered them, so each is kept, repaired and
// flagged, or dead-lettered with its item when it has no storable id.
const US = '1580001122334455667';
const receivedAt = '2026-11-20T09:20:00.000Z';
const ctx = { accountId: US, receivedAt };
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
/** ~1 MB of text with NULs, a lone surrogate, bidi controls and a pair at the end of every piece. */
const MEGABYTE = `${'Merhaba\u0000 \uD83D \u202Edünya 😀 '.repeat(45_000)}son`;

function normalize(json: unknown) {
  const batch = normalizeXPayload(json, ctx);
  for (const event of batch.events) {
    const data = event.data as MessageData;
    expect(exceededLimit(data, '')).toBeUndefined();
    expect(storableMessage(data).issues).toEqual([]);
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    if (!parsed.ok) throw new Error(`${parsed.code} ${parsed.message}`);
  }
  return batch;
}

describe('connector-x publishes only storable, bounded events', () => {
  it('dm_events page: a 1 MB text with NULs and lone surrogates, a year-9999 created_at and a hostile name', () => {
    const page = fixture('dm-events-page.json');
    page.data[0].text = MEGABYTE;
    page.data[0].created_at = '9999-12-31T23:59:59.000Z';
    page.includes.users[0].name = 'Ay\u0000şe \u202Egpj.exe';
    const batch = normalize(page);
    expect(batch.rejected).toEqual([]);
    const event = batch.events.find((e) => e.data.externalId === page.data[0].id)!;
    const data = event.data as MessageData;
    expect(jsonBytes(data.text)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
    expect(data.text!.startsWith('Merhaba \uFFFD \u202Edünya 😀 Merhaba')).toBe(true);
    expect(data.sender.displayName).toBe('Ayşe gpj.exe');
    expect(data.occurredAt).toBe(receivedAt);
    expect(event.time).toBe(receivedAt);
    expect(data.flags).toMatchObject({
      textTruncated: true,
      textSanitized: true,
      bidiControls: true,
      dateFallback: true,
    });
  });

  it('webhook: a text with a lone surrogate and a year-9999 created_timestamp', () => {
    const body = fixture('webhook-dm.json');
    body.direct_message_events[0].message_create.message_data.text = 'Fotoğraf \uDE00ekte\u0000 https://t.co/Ph0t0L1nk';
    body.direct_message_events[0].created_timestamp = '253402300799000';
    const batch = normalize(body);
    const data = batch.events.find((e) => e.data.externalId === '1790000000000000020')!.data as MessageData;
    expect(data.text).toBe('Fotoğraf \uFFFDekte');
    expect(data.occurredAt).toBe(receivedAt);
    expect(data.flags).toMatchObject({ textSanitized: true, dateFallback: true });
  });

  it('dead-letters a DM whose id or conversation cannot be stored, with the item, and publishes the rest', () => {
    const page = fixture('dm-events-page.json');
    page.data[0].id = '17900000\u00000005';
    page.data[1].dm_conversation_id = '98765432-\uD83D1580001122334455667';
    const batch = normalize(page);
    expect(batch.rejected.map((r) => [r.code, r.item])).toEqual([
      ['X.EXTERNAL_ID_NOT_STORABLE', 'data[0] id 17900000\u00000005'],
      ['X.CONVERSATION_REF_NOT_STORABLE', 'data[1] id 1790000000000000004'],
    ]);
    expect(batch.events.map((e) => e.data.externalId)).not.toContain(page.data[0].id);
    const [letter] = deadLettersOf(batch, receivedAt);
    const data = letter!.data as DlqRecordData;
    expect(data.message).toBe('externalId holds a NUL character or an unpaired UTF-16 surrogate');
    expect(JSON.parse(data.value).data[0].id).toBe('17900000\u00000005');
  });
});
