import { describe, expect, it } from '@jest/globals';
import { deadLetterWithBlob } from '@kanal/blob-store';
import { eventSchema, type KanalEvent } from '@kanal/contracts';
import { mapUpdates, mapUpsert, publishable, type Outcome } from './map-baileys-events';
import { normalizeWhatsappWeb } from './normalize-whatsapp-web';
import type { RawUpsert } from './raw-message';
import { CTX, SELF, fixture } from './test-kit';

const ctx = { ...CTX, self: SELF };
const upsert = fixture<RawUpsert>('upsert-unmappable.json');
const outcomes = mapUpsert(upsert, ctx);
const letters = async (list: Outcome[]) =>
  (await publishable(list, (input) => deadLetterWithBlob(input, undefined))).map(
    (p) => p.event as KanalEvent<'kanal.dlq.record.v1'>,
  );

describe('items the mapper cannot turn into an event become dead letters', () => {
  it('gives each a stable code, and still maps the items around it', () => {
    expect(outcomes.map((o) => (o.result.kind === 'failed' ? o.result.code : o.result.kind))).toEqual([
      'event',
      'WHATSAPP.NO_CONTENT',
      'WHATSAPP.REACTION_WITHOUT_TARGET',
      'WHATSAPP.PROTOCOL_WITHOUT_TARGET',
      'WHATSAPP.MALFORMED_KEY',
      'WHATSAPP.MALFORMED_ITEM',
      'WHATSAPP.INVALID_EVENT',
      'event',
    ]);
  });

  it('carries the raw item as a messages.upsert holding only it, with the session, the chat key and no PII in the message', () => {
    const letter = outcomes[1]!.letter!;
    expect(JSON.parse(letter.payload as string)).toEqual({
      messages: [upsert.messages[1]],
      session: { id: 'shop-tr', user: SELF },
    });
    expect(letter).toMatchObject({
      provider: 'whatsapp-web',
      channel: 'whatsapp',
      accountId: 'shop-tr',
      contentType: 'application/json',
      receivedAt: CTX.receivedAt,
      key: 'whatsapp:shop-tr:905321234567@s.whatsapp.net',
      item: 'messages.upsert notify messages[1] 3EB0NOCONTENT2',
    });
    for (const o of outcomes.filter((x) => x.letter)) {
      expect(o.letter!.message).not.toMatch(/905321234567|Ayşe|mesaj/);
    }
  });

  it('builds kanal.dlq.record.v1 events (origin provider) in item order, between the events', async () => {
    const events = await letters(outcomes);
    expect(events.map((e) => e.type)).toEqual([
      'kanal.message.received.v1',
      ...Array(6).fill('kanal.dlq.record.v1'),
      'kanal.message.received.v1',
    ]);
    const record = events[1]!;
    expect(eventSchema('kanal.dlq.record.v1').safeParse(record).success).toBe(true);
    expect(record).toMatchObject({
      subject: 'whatsapp:shop-tr:905321234567@s.whatsapp.net',
      data: { origin: 'provider', code: 'WHATSAPP.NO_CONTENT', valueEncoding: 'utf8' },
    });
  });

  it('re-runs through kanal normalize whatsapp-web to the same letter (same id, still failing)', async () => {
    for (const record of (await letters(outcomes)).filter((e) => e.type === 'kanal.dlq.record.v1')) {
      const rerun = await normalizeWhatsappWeb(
        Buffer.from(record.data.value),
        {},
        { receivedAt: record.data.receivedAt },
      );
      expect(rerun.map((e) => [e.type, e.id, (e.data as { code: string }).code])).toEqual([
        ['kanal.dlq.record.v1', record.id, record.data.code],
      ]);
    }
  });

  it('dead-letters a messages.update item as a Baileys event map that re-runs', async () => {
    const items = [{ key: { id: 'X1' }, update: { status: 4 } }];
    const [record] = await letters(mapUpdates(items, ctx));
    expect(JSON.parse(record!.data.value)).toEqual({
      'messages.update': items,
      session: { id: 'shop-tr', user: SELF },
    });
    expect(record!.data).toMatchObject({ code: 'WHATSAPP.MALFORMED_KEY', key: 'whatsapp-web:shop-tr' });
    const rerun = await normalizeWhatsappWeb(
      Buffer.from(record!.data.value),
      {},
      { receivedAt: record!.data.receivedAt },
    );
    expect(rerun.map((e) => e.id)).toEqual([record!.id]);
  });

  it('dead-letters a whole payload without a messages array', () => {
    const [only] = mapUpsert({ type: 'notify', messages: 'oops' } as never, ctx);
    expect(only!.result).toMatchObject({ kind: 'failed', code: 'WHATSAPP.MALFORMED_PAYLOAD' });
    expect(JSON.parse(only!.letter!.payload as string)).toMatchObject({ 'messages.upsert': { messages: 'oops' } });
  });
});
