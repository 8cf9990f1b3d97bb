import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { inboundEventId, type CloudEvent, type MessageData, type MessageEditedData } from '@kanal/contracts';
import { normalizeWebhook, type MetaProvider } from '../normalize/normalize-webhook';

const ctx = { receivedAt: '2026-11-25T08:00:00.000Z' };
const raw = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const run = (provider: MetaProvider, body: Buffer | string) => normalizeWebhook(provider, Buffer.from(body), ctx);
const d = <T = MessageData>(e: CloudEvent | undefined) => e!.data as T;
const find = (list: CloudEvent[], externalId: string) =>
  list.find((e) => (e.data as MessageData).externalId === externalId);

const PAGE = '106000000000001';
const PSID = '6000000000000001';
const IG = '17841400000000001';
const IGSID = '1234567890123456';

describe('Messenger: the rest of the surface', () => {
  const batch = run('meta-messenger', raw('messenger-surface.json'));
  const list = batch.events.map((e) => e.event);
  const at = (i: number) => `entry[0].messaging[${i}]`;

  it('skips opt-ins, referrals on their own, handovers and policy notices, counted by reason', () => {
    expect(batch.skipped.map((s) => [s.reason, s.locator])).toEqual([
      ['optin', at(0)],
      ['optin', at(1)],
      ['referral', at(2)],
      ['handover', at(8)],
      ['policy-enforcement', at(9)],
    ]);
  });

  it('keeps the referral of a Get Started postback that came from an ad', () => {
    const postback = d(list.find((e) => (e.data as MessageData).interactive?.id === 'GET_STARTED'));
    expect(postback).toMatchObject({
      text: 'Başlayalım',
      externalId: 'postback:6000000000000002:1764052200004',
      flags: { syntheticId: true },
      metadata: {
        'referral.ref': 'ad-42',
        'referral.ad_id': '6045246247433',
        'referral.source': 'ADS',
        'referral.ads_context_data.ad_title': 'Kış indirimi',
      },
    });
  });

  it('keeps a legacy location attachment’s coordinates and a fallback link’s title and url', () => {
    expect(d(find(list, 'm_LOCATION01')).attachments).toEqual([
      {
        kind: 'location',
        latitude: 40.99162,
        longitude: 29.02335,
        title: 'Kadıköy İskele',
        url: 'https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.bing.com%2Fmaps%2Fdefault.aspx%3Fv%3D2%26pc%3DFACEBK&h=AT0',
      },
    ]);
    expect(d(find(list, 'm_FALLBACK01')).attachments).toEqual([
      {
        kind: 'share',
        title: 'Ürün 42 - Kışlık mont',
        url: 'https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com%2Furun%2F42&h=AT1',
      },
    ]);
  });

  it('maps stickers (the thumbs-up) as stickers and reels as shares', () => {
    expect(d(find(list, 'm_STICKER01')).attachments[0]!.kind).toBe('sticker');
    expect(d(find(list, 'm_REEL01')).attachments).toEqual([
      { kind: 'share', url: 'https://www.facebook.com/reel/1100000000000001', title: 'Yeni sezon' },
    ]);
  });

  it('takes a string timestamp and a string edit counter as Meta’s examples write them', () => {
    const edit = list.find((e) => e.type === 'kanal.message.edited.v1')!;
    expect(d<MessageEditedData>(edit)).toMatchObject({
      occurredAt: '2025-11-25T06:30:00.012Z',
      text: 'Kadıköy İskele, saat 3',
    });
    expect(edit.id).toBe(inboundEventId('messenger', PAGE, 'm_LOCATION01', 'edit:1'));
  });

  it('dead-letters a kind it does not know (customer feedback) with the item alone', () => {
    expect(batch.deadLetters.map((l) => [l.code, l.item.locator, l.message])).toEqual([
      ['META.UNSUPPORTED_EVENT', at(10), 'messaging item of kind messaging_feedback is not mapped'],
    ]);
    const letter = JSON.parse(batch.deadLetters[0]!.item.payload());
    expect(letter.entry).toEqual([
      {
        id: PAGE,
        time: 1764052200000,
        messaging: [JSON.parse(raw('messenger-surface.json').toString()).entry[0].messaging[10]],
      },
    ]);
    expect(batch.deadLetters[0]!.item.key).toBe(`messenger:${PAGE}:${PSID}`);
  });

  it('names the Page as the recipient of inbound items and as the sender of echoes', () => {
    const page = { identities: [{ type: 'messenger', value: `${PAGE}:${PAGE}` }] };
    expect(d(find(list, 'm_LOCATION01')).recipient).toEqual(page);
    const echoes = run('meta-messenger', raw('messenger-messages.json')).events.map((e) => e.event);
    expect(d(find(echoes, 'm_ECHO01'))).toMatchObject({
      sender: page,
      recipient: { identities: [{ type: 'messenger', value: `${PAGE}:${PSID}` }] },
    });
  });
});

describe('Instagram: the rest of the surface', () => {
  const batch = run('meta-instagram', raw('instagram-surface.json'));
  const list = batch.events.map((e) => e.event);

  it('shows a like_heart as the heart the customer sent, not an empty attachment', () => {
    const heart = d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjHEART01'));
    expect(heart.text).toBe('❤️');
    expect(heart.attachments).toEqual([{ kind: 'sticker', title: 'like_heart' }]);
    expect(heart.flags).toBeUndefined();
  });

  it('keeps the click-to-Direct ad a message came from', () => {
    expect(d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjADREF01')).metadata).toMatchObject({
      'referral.ad_id': '120210000000000001',
      'referral.source': 'ADS',
      'referral.ads_context_data.ad_title': 'Yeni sezon montlar',
    });
  });

  it('stands the receive time in for a missing or out-of-range timestamp, flagged', () => {
    for (const mid of [
      'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjNOTIME01',
      'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjFARTIME01',
    ]) {
      expect(d(find(list, mid))).toMatchObject({ occurredAt: ctx.receivedAt, flags: { dateFallback: true } });
    }
  });

  it('names the IG account as the recipient inbound and the sender of echoes', () => {
    const account = { identities: [{ type: 'instagram', value: `${IG}:${IG}` }] };
    const customer = { identities: [{ type: 'instagram', value: `${IG}:${IGSID}` }] };
    expect(d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjICEBRK01'))).toMatchObject({
      sender: customer,
      recipient: account,
      interactive: { id: 'ICEBREAKER_WHERE_IS_MY_ORDER', title: 'Kargom nerede?' },
    });
    const echo = find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjECHO02')!;
    expect(echo.type).toBe('kanal.message.sent.v1');
    expect(d(echo)).toMatchObject({ sender: account, recipient: customer });
  });

  it('skips comments (not direct messages) and the dashboard test', () => {
    expect(batch.skipped).toEqual([
      { reason: 'non-message-field', accountId: IG, locator: 'entry[0].changes[0]', detail: 'comments' },
      { reason: 'test-webhook', accountId: '0', locator: 'entry[1]' },
    ]);
    expect(batch.deadLetters).toEqual([]);
  });

  it('keeps an item whose sender id is not an IGSID, without the identity, flagged', () => {
    const body = JSON.parse(raw('instagram-surface.json').toString());
    body.entry[0].messaging[1].sender.id = 'not-an-igsid';
    const kept = d(
      find(
        run('meta-instagram', JSON.stringify(body)).events.map((e) => e.event),
        'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjADREF01',
      ),
    );
    expect(kept).toMatchObject({
      conversationRef: 'not-an-igsid',
      sender: { identities: [] },
      flags: { identityFallback: true },
    });
  });

  it('dead-letters an item without a sender, and a receipt that names nothing', () => {
    const body = {
      object: 'instagram',
      entry: [
        {
          id: IG,
          messaging: [
            { recipient: { id: IG }, timestamp: 1, message: { mid: 'aWdfNOSENDER' } },
            { sender: { id: IGSID }, recipient: { id: IG }, read: {} },
          ],
        },
      ],
    };
    const result = run('meta-instagram', JSON.stringify(body));
    expect(result.deadLetters.map((l) => [l.code, l.item.locator])).toEqual([
      ['META.INVALID_ITEM', 'entry[0].messaging[0]'],
      ['META.UNMAPPED_ITEM', 'entry[0].messaging[1]'],
    ]);
  });
});
