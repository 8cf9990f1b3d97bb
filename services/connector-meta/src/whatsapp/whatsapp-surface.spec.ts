import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  inboundEventId,
  type CloudEvent,
  type MessageData,
  type MessageEditedData,
  type MessageStatusData,
} from '@kanal/contracts';
import { normalizeWebhook } from '../normalize/normalize-webhook';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const ctx = { receivedAt: '2026-11-25T08:00:00.000Z' };
const run = (name: string) => normalizeWebhook('whatsapp-cloud', fixture(name), ctx);
const events = (name: string) => run(name).events.map((e) => e.event);
const data = <T = MessageData>(e: CloudEvent | undefined) => e!.data as T;
const byId = (list: CloudEvent[], externalId: string, type?: string) =>
  list.find((e) => (e.data as MessageData).externalId === externalId && (!type || e.type === type));
const PHONE_ID = '106540352242922';

describe('WhatsApp numbers WhatsApp verified', () => {
  const list = events('verified-numbers.json');

  it('keeps a Brazilian number libphonenumber calls invalid as the phone identity, flagged', () => {
    const br = data(byId(list, 'wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhgWM0VCMEJSQVpJTEFOMDAwMDAwMDAwMAA='));
    expect(br.sender).toEqual({ displayName: 'João Silva', identities: [{ type: 'phone', value: '+551187654321' }] });
    expect(br.flags).toEqual({ phoneUnverified: true });
    expect(br.text).toBe('Olá, meu pedido não chegou');
  });

  it('keeps a reserved-range number beside its BSUID, flagged', () => {
    const us = data(byId(list, 'wamid.HBgLMTU1NTAxMDAxMjMVAgASGBQzQUI0NkE4NjM1QTU2NjVGOURGQgA='));
    expect(us.sender.identities).toEqual([
      { type: 'phone', value: '+15550100123' },
      { type: 'whatsapp-bsuid', value: 'US.13491208655302741918' },
    ]);
    expect(us.flags).toEqual({ phoneUnverified: true });
  });

  it('keeps a BSUID-only sender with the BSUID as the conversation, unflagged', () => {
    const bsuid = data(byId(list, 'wamid.HBgUVFIuMTAwMjAwMzAwNDAwNTAwFQIAEhgUM0FCU1VJRE9OTFkwMQA='));
    expect(bsuid).toMatchObject({ conversationRef: 'TR.100200300400500', sender: { username: '@deniz.k' } });
    expect(bsuid.sender.identities).toEqual([{ type: 'whatsapp-bsuid', value: 'TR.100200300400500' }]);
    expect(bsuid.flags).toBeUndefined();
  });

  it('takes the phone from the contact a BSUID joins when `from` is left out', () => {
    const body = JSON.parse(fixture('verified-numbers.json').toString('utf8'));
    delete body.entry[0].changes[0].value.messages[1].from;
    const [, us] = normalizeWebhook('whatsapp-cloud', Buffer.from(JSON.stringify(body)), ctx).events;
    expect(data(us!.event)).toMatchObject({
      conversationRef: 'US.13491208655302741918',
      flags: { phoneUnverified: true },
    });
    expect(data(us!.event).sender.identities).toEqual([
      { type: 'phone', value: '+15550100123' },
      { type: 'whatsapp-bsuid', value: 'US.13491208655302741918' },
    ]);
  });

  it('names the business number as the recipient of every inbound message, valid or not', () => {
    for (const e of list.filter((x) => x.type === 'kanal.message.received.v1')) {
      expect(data(e).recipient).toEqual({ identities: [{ type: 'phone', value: '+15550783881' }] });
    }
  });

  it('keeps a status to an invalid-looking number with the customer as recipient, flagged', () => {
    const status = data<MessageStatusData>(list.find((e) => e.type === 'kanal.message.status.v1'));
    expect(status).toMatchObject({
      status: 'delivered',
      conversationRef: '551187654321',
      flags: { phoneUnverified: true },
    });
    expect(status.recipient).toEqual({ identities: [{ type: 'phone', value: '+551187654321' }] });
    expect(status.sender).toBeUndefined();
  });

  it('leaves out a display number that is not a number, flagged, and keeps the message', () => {
    const body = JSON.parse(fixture('verified-numbers.json').toString('utf8'));
    body.entry[0].changes[0].value.metadata.display_phone_number = 'Kanal Destek';
    const [first] = normalizeWebhook('whatsapp-cloud', Buffer.from(JSON.stringify(body)), ctx).events;
    expect(data(first!.event).recipient).toEqual({ identities: [] });
    expect(data(first!.event).flags).toEqual({ phoneUnverified: true, identityFallback: true });
  });
});

describe('WhatsApp edits, revokes, Flows, system and unknown messages', () => {
  it('turns an edited text and an edited caption into message.edited on the original message', () => {
    const list = events('edit-revoke.json');
    expect(list.map((e) => e.type)).toEqual([
      'kanal.message.edited.v1',
      'kanal.message.edited.v1',
      'kanal.message.deleted.v1',
    ]);
    const [text, caption, revoke] = list;
    expect(data<MessageEditedData>(text)).toMatchObject({
      target: { externalId: 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgST1JJR0lOQUwwMQA=' },
      text: 'Siparişim 42 numaralı, 41 değil',
      direction: 'inbound',
      sender: { identities: [{ type: 'phone', value: '+905321234567' }] },
    });
    expect(text!.id).toBe(
      inboundEventId('whatsapp', PHONE_ID, 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgSRURJVFRFWFQwMQA=', 'edit'),
    );
    expect(data<MessageEditedData>(caption).text).toBe('Hasarlı paket, kutu ezik');
    expect(data<MessageEditedData>(revoke).target).toEqual({
      externalId: 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgST1JJR0lOQUwwMwA=',
    });
  });

  it('keeps a Flow answer: the body as text, the whole response, the flow token as interactive id', () => {
    const flow = data(byId(events('flows-system-errors.json'), 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgSRkxPVzAxAA=='));
    expect(flow).toMatchObject({ text: 'Sent', interactive: { id: 'delivery-survey-42', title: 'flow' } });
    expect(JSON.parse(flow.fullText!)).toEqual({
      flow_token: 'delivery-survey-42',
      rating: '5',
      comment: 'Çok hızlıydı',
    });
    expect(flow.replyTo).toEqual({ externalId: 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAERgSRkxPV1NFTlQwMQA=' });
  });

  it('shows a number change as what WhatsApp wrote, with both numbers as the sender', () => {
    const system = data(byId(events('flows-system-errors.json'), 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgSU1lTVEVNMDEA'));
    expect(system).toMatchObject({
      text: 'Ayse changed from 905321234567 to 905329876543',
      flags: { system: true },
      attachments: [],
    });
    expect(system.sender.identities).toEqual([
      { type: 'phone', value: '+905321234567' },
      { type: 'phone', value: '+905329876543' },
    ]);
  });

  it('keeps an unknown message as a placeholder with its error code, and skips request_welcome', () => {
    const batch = run('flows-system-errors.json');
    const unknown = data(
      byId(
        batch.events.map((e) => e.event),
        'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgSVU5LTk9XTjAxAA==',
      ),
    );
    expect(unknown).toMatchObject({
      attachments: [{ kind: 'unsupported', title: 'unknown' }],
      flags: { unsupported: true },
    });
    expect(unknown.metadata).toEqual({
      'providerError.code': '131051',
      'providerError.title': 'Unsupported message type',
    });
    expect(batch.skipped).toEqual([
      { reason: 'request-welcome', accountId: PHONE_ID, locator: 'entry[0].changes[0].value.messages[3]' },
    ]);
    expect(batch.deadLetters).toEqual([]);
  });

  it('keeps the click-to-WhatsApp ad a message came from', () => {
    const ad = data(byId(events('flows-system-errors.json'), 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgSQ1RXQTAxAA=='));
    expect(ad.metadata).toMatchObject({
      'referral.source_type': 'ad',
      'referral.source_id': '120226305854810726',
      'referral.headline': 'Kargo bedava',
    });
    expect(ad.text).toBe('Bu kampanya hâlâ geçerli mi?');
  });
});

describe('WhatsApp groups, echoes and timestamps', () => {
  it('puts a group message in the group conversation with the participant as sender', () => {
    const [message, status] = events('group.json');
    expect(data(message)).toMatchObject({
      conversationRef: 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD',
      group: { id: 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD' },
      flags: { group: true },
      sender: { displayName: 'Mehmet Kaya', identities: [{ type: 'phone', value: '+905441234567' }] },
    });
    expect(data<MessageStatusData>(status)).toMatchObject({
      status: 'read',
      flags: { group: true },
      recipient: { identities: [{ type: 'phone', value: '+905441234567' }] },
    });
    expect(status!.id).toBe(
      inboundEventId('whatsapp', PHONE_ID, 'wamid.HBgMOTA1NDQxMjM0NTY3FQIAERgSR1JPVVBPVVQwMQA=', 'read:905441234567'),
    );
  });

  it('publishes a message sent from the WhatsApp Business app as outbound, the business as sender', () => {
    const echo = events('fields.json').find((e) => e.type === 'kanal.message.sent.v1');
    expect(data(echo)).toMatchObject({
      direction: 'outbound',
      conversationRef: '905321234567',
      text: 'Kargonuz yolda, yarın teslim.',
      sender: { identities: [{ type: 'phone', value: '+908505551234' }] },
      recipient: { identities: [{ type: 'phone', value: '+905321234567' }] },
    });
    expect(echo!.subject).toBe(`whatsapp:${PHONE_ID}:905321234567`);
  });

  it('stands the receive time in for a missing or impossible timestamp, flagged', () => {
    const list = events('bad-items.json');
    for (const id of ['wamid.BADTIME01', 'wamid.BADTIME02', 'wamid.NOTIME01']) {
      expect(data(byId(list, id))).toMatchObject({ occurredAt: ctx.receivedAt, flags: { dateFallback: true } });
      expect(byId(list, id)!.time).toBe(ctx.receivedAt);
    }
  });

  it('keeps a location whose coordinates are off the globe, without them, flagged', () => {
    const far = data(byId(events('bad-items.json'), 'wamid.FARLOC01'));
    expect(far.attachments).toEqual([{ kind: 'location', title: 'Sultanahmet', address: 'Fatih, İstanbul' }]);
    expect(far.flags).toEqual({ locationFallback: true });
  });
});
