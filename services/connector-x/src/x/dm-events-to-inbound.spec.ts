import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { inboundEventId, parseEvent, type MessageData } from '@kanal/contracts';
import { dmEventsPageToInbound } from './dm-events-to-inbound';
import { dmEventsPageSchema } from './x-payload-schemas';

const US = '1580001122334455667';
const CUSTOMER = '98765432';
const RECEIVED_AT = '2026-11-20T09:20:00.000Z';
const ctx = { accountId: US, receivedAt: RECEIVED_AT };
const raw = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
const page = (name: string) => dmEventsPageSchema.parse(raw(name));
const map = (name: string) => dmEventsPageToInbound(page(name), ctx);
const dataOf = (batch: ReturnType<typeof map>) =>
  new Map(batch.events.map((e) => [e.data.externalId, e.data as MessageData]));

describe('dmEventsPageToInbound', () => {
  const batch = map('dm-events-page.json');
  const byId = new Map(batch.events.map((e) => [e.data.externalId, e]));
  const data = dataOf(batch);

  it('maps every event to a contract-valid CloudEvent with a deterministic id and the inbound key', () => {
    expect(batch.events).toHaveLength(5);
    for (const e of batch.events) {
      expect(parseEvent(e)).toMatchObject({ ok: true });
      expect(e.id).toBe(inboundEventId('x', US, e.data.externalId));
      expect(e.subject).toBe(`x:${US}:${e.data.conversationRef}`);
    }
    expect(batch.partialErrors).toEqual([]);
    expect(batch.rejected).toEqual([]);
  });

  it('maps a customer message as received, addressed to our X account, with name, @username and x ids', () => {
    expect(byId.get('1790000000000000005')!.type).toBe('kanal.message.received.v1');
    expect(data.get('1790000000000000005')).toMatchObject({
      channel: 'x',
      provider: 'x-dm',
      accountId: US,
      direction: 'inbound',
      conversationRef: `${CUSTOMER}-${US}`,
      occurredAt: '2026-11-20T09:15:02.000Z',
      receivedAt: RECEIVED_AT,
      text: "Merhaba, siparişim İstanbul'a hâlâ gelmedi 📦",
      sender: { displayName: 'Ayşe Yılmaz', username: '@ayse_y', identities: [{ type: 'x', value: CUSTOMER }] },
      recipient: { displayName: 'ShopCo Support', username: '@shopco_help', identities: [{ type: 'x', value: US }] },
    });
    expect(data.get('1790000000000000005')!.flags).toBeUndefined();
  });

  it('maps our own message as an outbound echo sent by our account to the customer', () => {
    expect(byId.get('1790000000000000004')!.type).toBe('kanal.message.sent.v1');
    expect(data.get('1790000000000000004')).toMatchObject({
      direction: 'outbound',
      sender: { identities: [{ type: 'x', value: US }] },
      recipient: { displayName: 'Ayşe Yılmaz', username: '@ayse_y', identities: [{ type: 'x', value: CUSTOMER }] },
    });
  });

  it('takes the media t.co link out of the text and does not repeat it as a second attachment', () => {
    const d = data.get('1790000000000000003')!;
    expect(d.text).toBe('Here is the damaged box');
    expect(d.attachments).toEqual([
      {
        kind: 'image',
        providerMediaId: '3_1790000000000000099',
        url: 'https://pbs.twimg.com/dm_media/1790000000000000099.jpg',
      },
    ]);
  });

  it('turns a shared post and a shared URL into share attachments and keeps both links in the text', () => {
    const d = data.get('1790000000000000002')!;
    expect(d.text).toBe('Saw this post https://t.co/Tw33tL1nk and the tracking page https://t.co/Trk9Lnk');
    expect(d.attachments).toEqual([
      { kind: 'share', url: 'https://x.com/shopco/status/1789999999999999000', caption: 'Big sale today!' },
      { kind: 'share', url: 'https://kargo.example.com/track/TR123' },
    ]);
  });

  it('counts participant joins as skips, by reason', () => {
    expect(batch.skipped).toEqual([{ reason: 'participants-join', item: 'data[4] id 1790000000000000001' }]);
  });

  it('still yields a message whose sender is missing from includes, and reports the partial errors', () => {
    const result = map('dm-events-partial-error.json');
    expect(result.events).toHaveLength(1);
    const d = result.events[0]!.data as MessageData;
    expect(d.sender).toEqual({ identities: [{ type: 'x', value: '22222222' }] });
    expect(d.attachments).toEqual([{ kind: 'share', url: 'https://x.com/i/web/status/1789999999999999111' }]);
    expect(result.partialErrors).toHaveLength(2);
    expect(result.skipped.map((s) => s.reason)).toEqual(['participants-leave']);
  });

  it('treats a page without a data key as empty', () => {
    expect(map('dm-events-empty.json')).toEqual({
      accountId: US,
      events: [],
      skipped: [],
      rejected: [],
      partialErrors: [],
    });
  });
});

describe('dmEventsPageToInbound: group conversations', () => {
  const batch = map('dm-events-group.json');
  const data = dataOf(batch);

  it("marks a customer's group message, addressed to our account, and our own reply without a recipient", () => {
    expect(data.get('1790000000000000102')).toMatchObject({
      direction: 'inbound',
      conversationRef: '1790000000000000777',
      group: { id: '1790000000000000777' },
      flags: { group: true },
      sender: { displayName: 'Mehmet Kaya', identities: [{ type: 'x', value: '66666666' }] },
      recipient: { identities: [{ type: 'x', value: US }] },
    });
    const ours = data.get('1790000000000000104')!;
    expect(ours).toMatchObject({ direction: 'outbound', sender: { identities: [{ type: 'x', value: US }] } });
    expect(ours.recipient).toBeUndefined();
  });

  it('skips joins and leaves', () => {
    expect(batch.skipped.map((s) => s.reason)).toEqual(['participants-leave', 'participants-join']);
    expect(batch.rejected).toEqual([]);
  });
});

describe('dmEventsPageToInbound: media and links', () => {
  const data = dataOf(map('dm-events-media.json'));

  it('keeps a video whose text was only its link as an attachment without text', () => {
    const d = data.get('1790000000000000203')!;
    expect(d.text).toBeUndefined();
    expect(d.attachments).toEqual([
      {
        kind: 'video',
        providerMediaId: '7_1790000000000000299',
        url: 'https://pbs.twimg.com/dm_video_preview/1790000000000000299/img/Xy12.jpg',
      },
    ]);
    expect(d.flags).toBeUndefined();
  });

  it('removes only the media link from a GIF DM and keeps the link the customer wrote', () => {
    const d = data.get('1790000000000000202')!;
    expect(d.text).toBe('Kutu böyle geldi, takip: https://t.co/Trk9Lnk');
    expect(d.attachments).toEqual([
      expect.objectContaining({ kind: 'video', providerMediaId: '16_1790000000000000298' }),
      { kind: 'share', url: 'https://kargo.example.com/track/TR123' },
    ]);
  });

  it('keeps every link of a DM without media in the text and as share attachments', () => {
    const d = data.get('1790000000000000201')!;
    expect(d.text).toBe('Sipariş https://t.co/0rd3rL1nk — iade formu https://t.co/R3turnL1nk');
    expect(d.attachments).toEqual([
      { kind: 'share', url: 'https://shop.example.com/orders/4711' },
      { kind: 'share', url: 'https://shop.example.com/returns' },
    ]);
  });
});
