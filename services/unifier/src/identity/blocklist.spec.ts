import { describe, expect, it } from '@jest/globals';
import type { InboundData } from '@kanal/contracts';
import { blockedCandidate, notePresentation } from './blocked-candidate';
import { Blocklist, businessSide } from './blocklist';
import { IdentityPolicy } from './identity-policy';

const policy = new IdentityPolicy({
  blocked: ['phone:+905550000000'],
  business: ['email:destek@magaza.com'],
  limits: {},
});
const phone = (value: string) => ({ type: 'phone' as const, value });

function msg(id: string, direction: 'inbound' | 'outbound', sender: string, recipient?: string) {
  const type = direction === 'inbound' ? 'kanal.message.received.v1' : 'kanal.message.sent.v1';
  const data = {
    channel: 'whatsapp',
    provider: 'whatsapp-cloud',
    accountId: '1029',
    direction,
    sender: { identities: [phone(sender)] },
    ...(recipient ? { recipient: { identities: [phone(recipient)] } } : {}),
  } as unknown as InboundData;
  return { id, type, data };
}

describe('businessSide', () => {
  it('is the recipient of an inbound message and the sender of an outbound one, with where it was seen', () => {
    expect(businessSide(msg('a', 'inbound', '+905321110001', '+908501234567'))).toEqual([
      { ...phone('+908501234567'), channel: 'whatsapp', provider: 'whatsapp-cloud', accountId: '1029' },
    ]);
    expect(businessSide(msg('b', 'outbound', '+908501234567', '+905321110001'))).toEqual([
      expect.objectContaining(phone('+908501234567')),
    ]);
    expect(businessSide(msg('c', 'inbound', '+905321110001'))).toEqual([]);
    expect(
      businessSide({ ...msg('d', 'inbound', '+905321110001', '+908501234567'), type: 'kanal.message.status.v1' }),
    ).toEqual([]);
  });
});

describe('Blocklist', () => {
  it('blocks a value a message teaches from that message on, and stored ones everywhere', () => {
    const events = [
      msg('e1', 'inbound', '+908501234567'), // presents it before anyone taught it
      msg('e2', 'inbound', '+905321110001', '+908501234567'), // teaches it
      msg('e3', 'inbound', '+908501234567'),
    ];
    const list = new Blocklist(policy, ['phone:+908509999999'], events);
    const business = phone('+908501234567');
    expect(list.sourceFor(business, 'e1')).toBeUndefined();
    expect(list.sourceFor(business, 'e2')).toBe('learned');
    expect(list.sourceFor(business, 'e3')).toBe('learned');
    expect(list.sourceFor(phone('+908509999999'), 'e1')).toBe('learned');
    expect(list.forEvent('e1')(phone('+905550000000'))).toBe('config');
    expect(list.forEvent('e1')({ type: 'email', value: 'destek@magaza.com' })).toBe('business-config');
    expect(list.forEvent('e1')({ type: 'email', value: 'info@kargo.com' })).toBe('default');
    expect(list.forEvent('e1')(phone('+905321110001'))).toBeUndefined();
  });
});

describe('blockedCandidate', () => {
  it('names the owner when that is someone else, else the latest other presenter', () => {
    const presenters = new Map([
      ['c-old', new Date('2026-01-01')],
      ['c-new', new Date('2026-03-01')],
    ]);
    expect(blockedCandidate('me', { owner: 'c-owner', presenters })).toBe('c-owner');
    expect(blockedCandidate('c-owner', { owner: 'c-owner', presenters })).toBe('c-new');
    expect(blockedCandidate('c-new', { presenters })).toBe('c-old');
    expect(blockedCandidate('me', { presenters: new Map() })).toBeUndefined();
    expect(blockedCandidate('me', undefined)).toBeUndefined();
  });

  it('keeps the latest presentation per customer, ties going to the greater id', () => {
    const ties = { presenters: new Map<string, Date>() };
    notePresentation(ties, 'a', new Date('2026-02-01'));
    notePresentation(ties, 'a', new Date('2026-01-01'));
    notePresentation(ties, 'b', new Date('2026-02-01'));
    expect(ties.presenters.get('a')).toEqual(new Date('2026-02-01'));
    expect(blockedCandidate('me', ties)).toBe('b');
  });
});
