import type { Conversation } from '../store/conversation-repo';
import { routeFollowUp, routeNew } from './decide-route';
import type { RuleOutcome } from './rule-engine';

const none: RuleOutcome = { ruleIds: [], matchedTerms: [], tags: [], hits: [] };
const t0 = new Date('2026-11-23T09:00:00Z');
const conv = (over: Partial<Conversation> = {}): Conversation => ({
  id: 'c1', customerId: 'u1', customer: { id: 'u1', identities: [] }, status: 'waiting', queue: 'delivery', priority: 'P3',
  channel: 'whatsapp', channels: ['whatsapp'], lastInboundChannel: 'whatsapp', lastInboundAt: t0, openedAt: t0, generation: 1,
  slaStartedAt: t0, slaDueAt: null, slaBreached: false, firstResponseAt: null, closedAt: null, mergedInto: null, ...over,
});
const later = (ms: number) => new Date(t0.getTime() + ms);

describe('routeNew', () => {
  const opts = { defaultQueue: 'general', defaultPriority: 'P3' as const, overrideFired: false };
  it('takes the rules, else the default', () => {
    expect(routeNew({ ...none, queue: 'payments', priority: 'P2' }, opts)).toEqual({ queue: 'payments', priority: 'P2', reason: 'rules' });
    expect(routeNew(none, opts)).toEqual({ queue: 'general', priority: 'P3', reason: 'default' });
  });
  it('prefers the returning customer\'s previous queue unless an override rule fired', () => {
    expect(routeNew({ ...none, queue: 'payments' }, { ...opts, previousQueue: 'delivery' }).queue).toBe('delivery');
    expect(routeNew({ ...none, queue: 'account-security', priority: 'P1' }, { ...opts, previousQueue: 'delivery', overrideFired: true }))
      .toMatchObject({ queue: 'account-security', reason: 'rules' });
  });
});

describe('routeFollowUp', () => {
  const msg = (channel: Conversation['channel'], ms: number) => ({ channel, at: later(ms), minGapMs: 300_000 });

  it('is sticky for a quick second message on the same channel', () => {
    expect(routeFollowUp(conv(), none, msg('whatsapp', 30_000))).toBeUndefined();
  });
  it('escalates one step when the customer writes on another channel while unanswered', () => {
    expect(routeFollowUp(conv(), none, msg('email', 30_000))).toEqual({ queue: 'delivery', priority: 'P2', reason: 'repeat-contact' });
  });
  it('escalates after the minimum gap on the same channel', () => {
    expect(routeFollowUp(conv({ priority: 'P2' }), none, msg('whatsapp', 600_000))?.priority).toBe('P1');
  });
  it('does not escalate once answered', () => {
    expect(routeFollowUp(conv({ status: 'responded' }), none, msg('email', 600_000))).toBeUndefined();
  });
  it('moves the conversation when an override rule fires', () => {
    const takeover = { ...none, ruleIds: ['account-takeover'], queue: 'account-security', priority: 'P1' as const };
    expect(routeFollowUp(conv(), takeover, msg('whatsapp', 1_000))).toEqual({ queue: 'account-security', priority: 'P1', reason: 'override' });
  });
});
