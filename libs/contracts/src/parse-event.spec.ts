import { describe, expect, it } from '@jest/globals';
import { buildInboundEvent } from './build-event';
import { inboundEventId } from './event-id';
import { ALL_EVENT_TYPES, EVENT_TYPES } from './event-types';
import { parseEvent } from './parse-event';
import { ALL_TOPICS } from './topics';

const now = '2026-11-25T08:00:00.000Z';
const received = () =>
  buildInboundEvent(
    'kanal.message.received.v1',
    {
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      accountId: '106540352242922',
      direction: 'inbound',
      externalId: 'wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhgg',
      conversationRef: '905321234567',
      sender: { displayName: 'Ayşe', identities: [{ type: 'phone', value: '+905321234567' }] },
      text: 'Siparişim nerede?',
      attachments: [],
      occurredAt: now,
      receivedAt: now,
    },
    { source: 'kanal/connector-meta' },
  );

describe('parseEvent', () => {
  it('accepts a valid event and keys it by channel:account:conversation', () => {
    const event = received();
    expect(event.subject).toBe('whatsapp:106540352242922:905321234567');
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    expect(parsed).toMatchObject({ ok: true, event: { id: event.id, type: 'kanal.message.received.v1' } });
  });

  it('gives the same provider event the same id, and different events different ids', () => {
    expect(received().id).toBe(received().id);
    expect(inboundEventId('whatsapp', 'a', 'm1')).not.toBe(inboundEventId('whatsapp', 'a', 'm2'));
    expect(inboundEventId('whatsapp', 'a', 'm1', 'read')).not.toBe(inboundEventId('whatsapp', 'a', 'm1', 'delivered'));
  });

  it('names every offending field of invalid data', () => {
    const event = received() as unknown as { data: Record<string, unknown> };
    event.data.channel = 'pigeon';
    event.data.sender = { identities: [{ type: 'fax', value: '1' }] };
    const parsed = parseEvent(event);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.code).toBe('EVENT.INVALID_DATA');
    expect(parsed.message).toContain('data.channel');
    expect(parsed.message).toContain('data.sender.identities.0.type');
  });

  it('rejects unknown types and broken envelopes with their own codes', () => {
    expect(parseEvent({ ...received(), type: 'kanal.nope.v1' })).toMatchObject({ ok: false, code: 'EVENT.UNKNOWN_TYPE' });
    expect(parseEvent({ ...received(), specversion: '0.3' })).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE' });
    expect(parseEvent('text')).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE' });
  });

  it('has a schema for every topic and every type on a contract topic', () => {
    for (const topic of ALL_TOPICS) expect(ALL_EVENT_TYPES.some((t) => EVENT_TYPES[t].topic === topic)).toBe(true);
    expect(ALL_EVENT_TYPES).toHaveLength(18);
  });
});
