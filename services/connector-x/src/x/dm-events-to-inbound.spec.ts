import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { inboundEventId, parseEvent } from '@kanal/contracts';
import { dmEventsPageToInbound } from './dm-events-to-inbound';
import { dmEventsPageSchema } from './x-payload-schemas';

const US = '1580001122334455667';
const CUSTOMER = '98765432';
const ctx = { accountId: US, receivedAt: '2026-11-20T09:20:00.000Z' };
const page = (name: string) =>
  dmEventsPageSchema.parse(JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')));

describe('dmEventsPageToInbound', () => {
  const { events, dropped, partialErrors } = dmEventsPageToInbound(page('dm-events-page.json'), ctx);
  const byId = new Map(events.map((e) => [e.data.externalId, e]));

  it('maps every event to a contract-valid CloudEvent with a deterministic id and the inbound key', () => {
    expect(events).toHaveLength(5);
    for (const e of events) {
      expect(parseEvent(e)).toMatchObject({ ok: true });
      expect(e.id).toBe(inboundEventId('x', US, e.data.externalId));
      expect(e.subject).toBe(`x:${US}:${e.data.conversationRef}`);
    }
    expect(partialErrors).toEqual([]);
  });

  it('maps a customer message as received, with name, @username and the numeric x identity', () => {
    const e = byId.get('1790000000000000005')!;
    expect(e.type).toBe('kanal.message.received.v1');
    expect(e.data).toMatchObject({
      channel: 'x',
      provider: 'x-dm',
      accountId: US,
      direction: 'inbound',
      conversationRef: `${CUSTOMER}-${US}`,
      occurredAt: '2026-11-20T09:15:02.000Z',
      text: "Merhaba, siparişim İstanbul'a hâlâ gelmedi 📦",
      sender: { displayName: 'Ayşe Yılmaz', username: '@ayse_y', identities: [{ type: 'x', value: CUSTOMER }] },
      recipient: { identities: [{ type: 'x', value: US }] },
    });
  });

  it('maps our own message as an outbound echo (kanal.message.sent.v1) addressed to the customer', () => {
    const e = byId.get('1790000000000000004')!;
    expect(e.type).toBe('kanal.message.sent.v1');
    expect(e.data.direction).toBe('outbound');
    expect(e.data.recipient).toEqual({
      displayName: 'Ayşe Yılmaz',
      username: '@ayse_y',
      identities: [{ type: 'x', value: CUSTOMER }],
    });
  });

  it('turns media keys into attachments from includes.media, without repeating the media t.co link', () => {
    expect(byId.get('1790000000000000003')!.data.attachments).toEqual([
      {
        kind: 'image',
        providerMediaId: '3_1790000000000000099',
        url: 'https://pbs.twimg.com/dm_media/1790000000000000099.jpg',
      },
    ]);
  });

  it('turns a shared post and a shared URL into share attachments', () => {
    expect(byId.get('1790000000000000002')!.data.attachments).toEqual([
      { kind: 'share', url: 'https://x.com/shopco/status/1789999999999999000', caption: 'Big sale today!' },
      { kind: 'share', url: 'https://kargo.example.com/track/TR123' },
    ]);
  });

  it('marks a group conversation and ignores participant join events', () => {
    expect(byId.get('1790000000000000000')!.data).toMatchObject({
      conversationRef: '1790000000000000777',
      group: { id: '1790000000000000777' },
      flags: { group: true },
      recipient: { identities: [{ type: 'x', value: US }] },
    });
    expect(dropped).toEqual([{ reason: 'participants-event', externalId: '1790000000000000001' }]);
  });

  it('still yields a message whose sender is missing from includes, and reports the partial errors', () => {
    const result = dmEventsPageToInbound(page('dm-events-partial-error.json'), ctx);
    expect(result.events).toHaveLength(1);
    const data = result.events[0]!.data;
    expect(data.sender).toEqual({ identities: [{ type: 'x', value: '22222222' }] });
    expect(data.attachments).toEqual([{ kind: 'share', url: 'https://x.com/i/web/status/1789999999999999111' }]);
    expect(result.partialErrors).toHaveLength(2);
    expect(result.dropped).toEqual([{ reason: 'participants-event', externalId: '1790000000000000009' }]);
  });

  it('treats a page without a data key as empty', () => {
    expect(dmEventsPageToInbound(page('dm-events-empty.json'), ctx)).toEqual({
      events: [],
      dropped: [],
      partialErrors: [],
    });
  });

  it('drops a malformed item or one missing required fields without losing the rest', () => {
    const result = dmEventsPageToInbound(
      {
        data: [
          { id: 'not-a-number', event_type: 'MessageCreate' },
          { id: '11', event_type: 'MessageCreate', text: 'no fields' },
          {
            id: '12',
            event_type: 'MessageCreate',
            text: 'ok',
            sender_id: '7',
            dm_conversation_id: `7-${US}`,
            created_at: '2026-11-20T09:00:00.000Z',
          },
        ],
      },
      ctx,
    );
    expect(result.events.map((e) => e.data.externalId)).toEqual(['12']);
    expect(result.dropped.map((d) => d.reason)).toEqual(['invalid-event', 'missing-field']);
  });
});
