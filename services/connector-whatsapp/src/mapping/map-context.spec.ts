import { describe, expect, it } from '@jest/globals';
import { CTX, SELF, SELF_IDENTITIES, dataOf, eventOf, mapFixture } from './test-kit';

describe('parties: provider-verified phones, LIDs and the business', () => {
  const ctx = { ...CTX, ingestGroups: true, self: SELF };
  const items = mapFixture('upsert-identities.json', ctx);

  it('keeps a message from a number libphonenumber calls invalid, with the phone and the flag', () => {
    expect(dataOf(items.get('3EB0BRAZIL0001'))).toMatchObject({
      text: 'Olá, meu pedido não chegou',
      conversationRef: '5511876543210@s.whatsapp.net',
      sender: { displayName: 'João Silva', identities: [{ type: 'phone', value: '+5511876543210' }] },
      flags: { phoneUnverified: true },
    });
    expect(dataOf(items.get('3EB0TESTRANGE2'))).toMatchObject({
      sender: {
        identities: [
          { type: 'phone', value: '+15550123' },
          { type: 'whatsapp-lid', value: '188877766655544@lid' },
        ],
      },
      flags: { phoneUnverified: true },
    });
  });

  it('flags the group participant whose verified number is invalid, and the group', () => {
    expect(dataOf(items.get('3EB0GRPBRAZIL5'))).toMatchObject({
      sender: {
        identities: [
          { type: 'phone', value: '+5511876543210' },
          { type: 'whatsapp-lid', value: '333344445555666@lid' },
        ],
      },
      recipient: { identities: SELF_IDENTITIES },
      group: { id: '120363025555555555@g.us' },
      flags: { group: true, phoneUnverified: true },
    });
  });

  it('never names the business as the customer of its own echo, even when the alt JID is its own', () => {
    const data = dataOf(items.get('3EB0OWNALT0003'));
    expect(data.sender).toEqual({ identities: SELF_IDENTITIES });
    expect(data.recipient).toEqual({ identities: [{ type: 'whatsapp-lid', value: '123456789012345@lid' }] });
    expect(data.flags).toBeUndefined();
  });

  it('sends a group echo from the business to nobody in particular', () => {
    const data = dataOf(items.get('3EB0GRPFROMME6'));
    expect(data).toMatchObject({ direction: 'outbound', sender: { identities: SELF_IDENTITIES } });
    expect(data.recipient).toBeUndefined();
  });

  it('keeps a message whose JID is no number at all, without the identity and flagged', () => {
    expect(dataOf(items.get('3EB0IMPLAUS004'))).toMatchObject({
      conversationRef: '123@s.whatsapp.net',
      sender: { identities: [] },
      flags: { identityFallback: true },
    });
  });

  it('flags every event of a session whose own number is unverifiable', () => {
    const odd = mapFixture('upsert-notify-dm.json', { ...CTX, self: { id: '15550123:7@s.whatsapp.net' } });
    expect(dataOf(odd.get('3EB0TEXT0001'))).toMatchObject({
      recipient: { identities: [{ type: 'phone', value: '+15550123' }] },
      flags: { phoneUnverified: true },
    });
  });
});

describe('occurredAt: the provider time, or receivedAt with flags.dateFallback', () => {
  const items = mapFixture('upsert-times.json');
  const timeOf = (id: string) => dataOf(items.get(id));

  it('falls back when messageTimestamp is missing, zero, in milliseconds or beyond any clock', () => {
    for (const id of ['3EB0NOTIME0001', '3EB0MILLIS0002', '3EB0ZEROTIME03', '3EB0HUGETIME04']) {
      expect(timeOf(id)).toMatchObject({ occurredAt: CTX.receivedAt, flags: { dateFallback: true } });
    }
  });

  it('falls back for an absurd reaction time but keeps the reaction', () => {
    const event = eventOf(items.get('3EB0REACTFAR05'));
    expect(event).toMatchObject({
      type: 'kanal.reaction.changed.v1',
      data: { emoji: '🙏', occurredAt: CTX.receivedAt, flags: { dateFallback: true } },
    });
  });

  it('keeps a sane time unflagged', () => {
    const data = timeOf('3EB0GOODTIME06');
    expect(data.occurredAt).toBe('2026-01-01T00:15:10.000Z');
    expect(data.flags).toBeUndefined();
  });
});
