import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { inboundEventId, type CloudEvent, type MessageData, type MessageStatusData } from '@kanal/contracts';
import { normalizeWebhook, type MetaProvider } from '../normalize/normalize-webhook';

const ctx = { receivedAt: '2026-11-25T08:00:00.000Z' };
const run = (provider: MetaProvider, name: string) =>
  normalizeWebhook(provider, readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url)), ctx);
const events = (provider: MetaProvider, name: string) => run(provider, name).events.map((e) => e.event);
const d = <T = MessageData>(e: CloudEvent | undefined) => e!.data as T;
const find = (list: CloudEvent[], externalId: string, type?: string) =>
  list.find((e) => (e.data as MessageData).externalId === externalId && (!type || e.type === type));

const IG = '17841400000000001';
const IGSID = '1234567890123456';

describe('Instagram webhook → events', () => {
  const list = events('meta-instagram', 'instagram-messages.json');

  it('maps text with the account-scoped identity and millisecond time, across every entry', () => {
    const text = find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx')!;
    expect(d(text)).toMatchObject({
      channel: 'instagram',
      provider: 'meta-instagram',
      accountId: IG,
      direction: 'inbound',
      conversationRef: IGSID,
      text: 'Bu ürün stokta var mı? 😍',
      occurredAt: '2025-11-25T06:10:00.001Z',
      sender: { identities: [{ type: 'instagram', value: `${IG}:${IGSID}` }] },
    });
    expect(text.subject).toBe(`instagram:${IG}:${IGSID}`);
    expect(d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjSECOND')).accountId).toBe('17841400000000002');
    expect(list).toHaveLength(10);
  });

  it('maps attachments and queues CDN media, but not shared links or reels', () => {
    const batch = run('meta-instagram', 'instagram-messages.json');
    expect(d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjIMAGE')).attachments.map((a) => a.kind)).toEqual([
      'image',
      'video',
    ]);
    expect(d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjSHARE')).attachments.map((a) => a.kind)).toEqual([
      'share',
      'share',
    ]);
    expect(batch.media.map((j) => j.items.length)).toEqual([2, 1]);
    expect(batch.media[0]!.items[1]!.url).toContain('asset_id=112');
  });

  it('recognises story replies and story mentions', () => {
    expect(d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjSTORYRE')).story).toEqual({
      id: '18000000000000001',
      url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=story1',
    });
    const mention = d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjMENTION'));
    expect(mention.attachments[0]!.kind).toBe('story-mention');
    expect(mention.story?.url).toContain('mention1');
  });

  it('keeps quick-reply payloads, inline replies and unsupported placeholders', () => {
    expect(d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjQUICK')).interactive).toEqual({
      id: 'ORDER_STATUS',
      title: 'Sipariş durumu',
    });
    expect(d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjINLINE')).replyTo).toEqual({
      externalId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjOURS',
    });
    const unsupported = d(find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjUNSUP'));
    expect(unsupported.flags).toEqual({ unsupported: true });
    expect(unsupported.attachments).toEqual([{ kind: 'unsupported' }]);
  });

  it('publishes echoes as outbound messages keyed by the customer', () => {
    const echo = find(list, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjECHO')!;
    expect(echo.type).toBe('kanal.message.sent.v1');
    expect(d(echo)).toMatchObject({
      direction: 'outbound',
      conversationRef: IGSID,
      recipient: { identities: [{ type: 'instagram', value: `${IG}:${IGSID}` }] },
    });
    expect(echo.subject).toBe(`instagram:${IG}:${IGSID}`);
  });

  it('turns reactions, edits, deletes and reads into state events on the target, with distinct ids', () => {
    const state = run('meta-instagram', 'instagram-state.json');
    const types = state.events.map((e) => e.event.type);
    expect(types).toEqual([
      'kanal.reaction.changed.v1',
      'kanal.reaction.changed.v1',
      'kanal.message.edited.v1',
      'kanal.message.deleted.v1',
      'kanal.message.status.v1',
      'kanal.message.received.v1',
      'kanal.message.received.v1',
    ]);
    const [react, unreact, edit, del, read, postback, standby] = state.events.map((e) => e.event);
    expect(d<{ emoji?: string; target: object }>(react)).toMatchObject({
      emoji: '❤️',
      target: { externalId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjOURS' },
    });
    expect(d<{ emoji?: string }>(unreact).emoji).toBeUndefined();
    expect(react!.id).not.toBe(unreact!.id);
    expect(d<{ text: string }>(edit).text).toBe('Bu ürün M beden stokta var mı?');
    expect(edit!.id).toBe(inboundEventId('instagram', IG, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx', 'edit:1'));
    expect(d(del).target).toEqual({ externalId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjINLINE' });
    expect(d<MessageStatusData>(read)).toMatchObject({
      status: 'read',
      direction: 'outbound',
      target: { externalId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjECHO' },
    });
    expect(d(postback)).toMatchObject({
      text: 'Kargo takibi',
      interactive: { id: 'ICEBREAKER_TRACK', title: 'Kargo takibi' },
    });
    expect(d(standby).flags).toEqual({ standby: true });
    expect(state.skipped).toEqual([{ reason: 'referral', accountId: IG, locator: 'entry[0].messaging[6]' }]);
    expect(state.deadLetters).toEqual([]);
  });
});

describe('Messenger webhook → events', () => {
  const PAGE = '106000000000001';
  const PSID = '6000000000000001';

  it('maps text, files, fallback links, quick replies, reply_to, echoes and postbacks', () => {
    const batch = run('meta-messenger', 'messenger-messages.json');
    const list = batch.events.map((e) => e.event);
    expect(d(list[0])).toMatchObject({
      channel: 'messenger',
      text: 'Şifremi unuttum 😞',
      sender: { identities: [{ type: 'messenger', value: `${PAGE}:${PSID}` }] },
    });
    expect(d(find(list, 'm_FILE01')).attachments.map((a) => a.kind)).toEqual(['image', 'document', 'share']);
    expect(batch.media[0]!.items.map((i) => i.index)).toEqual([0, 1]);
    expect(d(find(list, 'm_QR01')).interactive).toEqual({ id: 'SECURITY', title: 'Hesap güvenliği' });
    expect(d(find(list, 'm_REPLY01')).replyTo).toEqual({ externalId: 'm_PAGEMSG01' });
    const echo = find(list, 'm_ECHO01')!;
    expect(echo.type).toBe('kanal.message.sent.v1');
    expect(echo.subject).toBe(`messenger:${PAGE}:${PSID}`);
    expect(d(echo).metadata).toEqual({ appId: '1517776481860111', sendMetadata: 'agent-42' });
    expect(d(find(list, 'm_POSTBACK01')).interactive).toEqual({ id: 'GET_STARTED', title: 'Başlayalım' });
  });

  it('maps watermark reads and deliveries, reactions, edits, deletes and standby items', () => {
    const list = events('meta-messenger', 'messenger-receipts.json');
    const statuses = list.filter((e) => e.type === 'kanal.message.status.v1').map((e) => d<MessageStatusData>(e));
    expect(statuses.map((s) => [s.status, s.target.externalId])).toEqual([
      ['read', 'watermark:1764052000005'],
      ['delivered', 'm_ECHO01'],
      ['delivered', 'm_ECHO02'],
      ['delivered', 'watermark:1764052000009'],
    ]);
    expect(statuses[0]!.flags).toEqual({ watermark: true });
    expect(
      list.filter((e) => e.type === 'kanal.reaction.changed.v1').map((e) => d<{ emoji?: string }>(e).emoji),
    ).toEqual(['👍', undefined]);
    expect(
      find(list, 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P')!.type,
    ).toBe('kanal.message.edited.v1');
    expect(find(list, 'm_FILE01')!.type).toBe('kanal.message.deleted.v1');
    expect(d(find(list, 'm_STANDBY01')).flags).toEqual({ standby: true });
  });

  it('refuses an Instagram body on the Messenger webhook', () => {
    const body = Buffer.from(JSON.stringify({ object: 'instagram', entry: [] }));
    expect(() => normalizeWebhook('meta-messenger', body, ctx)).toThrow(
      expect.objectContaining({ code: 'META.INVALID_BODY' }),
    );
  });
});
