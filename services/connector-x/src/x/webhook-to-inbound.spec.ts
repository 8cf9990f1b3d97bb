import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { inboundEventId, parseEvent } from '@kanal/contracts';
import { oneToOneConversationId } from './build-x-message';
import { webhookBodyToInbound } from './webhook-to-inbound';
import { webhookBodySchema } from './x-payload-schemas';

const US = '1580001122334455667';
const body = (name: string) =>
  webhookBodySchema.parse(JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')));

describe('webhookBodyToInbound', () => {
  const { events, dropped } = webhookBodyToInbound(body('webhook-dm.json'), { receivedAt: '2026-11-21T09:00:00.000Z' });

  it('maps an inbound DM with its media and sender from users, on the v2 conversation id', () => {
    const e = events[0]!;
    expect(parseEvent(e)).toMatchObject({ ok: true });
    expect(e.type).toBe('kanal.message.received.v1');
    expect(e.id).toBe(inboundEventId('x', US, '1790000000000000020'));
    expect(e.data).toMatchObject({
      accountId: US,
      direction: 'inbound',
      conversationRef: `98765432-${US}`,
      occurredAt: '2025-11-21T09:15:00.123Z',
      text: 'Fotoğraf ekte https://t.co/Ph0t0L1nk',
      sender: { displayName: 'Ayşe Yılmaz', username: '@ayse_y', identities: [{ type: 'x', value: '98765432' }] },
      attachments: [
        {
          kind: 'image',
          providerMediaId: '1790000000000000088',
          url: 'https://pbs.twimg.com/dm_media/1790000000000000088.jpg',
        },
      ],
    });
    expect(dropped).toEqual([]);
  });

  it('maps the echo of our own send as outbound', () => {
    expect(events[1]!.type).toBe('kanal.message.sent.v1');
    expect(events[1]!.data).toMatchObject({
      direction: 'outbound',
      recipient: { identities: [{ type: 'x', value: '98765432' }] },
    });
  });

  it('yields nothing for a body without DMs (typing indicators)', () => {
    expect(
      webhookBodyToInbound(body('webhook-typing.json'), { receivedAt: '2026-11-21T09:00:00.000Z' }).events,
    ).toEqual([]);
  });

  it('orders conversation ids numerically, not as strings', () => {
    expect(oneToOneConversationId(US, '98765432')).toBe(`98765432-${US}`);
    expect(oneToOneConversationId('98765432', US)).toBe(`98765432-${US}`);
  });
});
