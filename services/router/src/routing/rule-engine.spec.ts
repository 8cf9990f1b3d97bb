import type { Identity } from '@kanal/contracts';
import { DEFAULT_ROUTING_CONFIG } from '../config';
import { loadRoutingConfig } from '../routing-config/load-routing-config';
import { RuleEngine, type RuleInput } from './rule-engine';
import { SlaPolicy } from './sla-policy';

const config = loadRoutingConfig(DEFAULT_ROUTING_CONFIG);
const sla = new SlaPolicy(config);
const engine = new RuleEngine(config, (id) => sla.calendar(id));
const MONDAY_NOON = new Date('2026-11-23T09:00:00Z'); // 12:00 in Istanbul

function input(text: string, extra: Partial<RuleInput> = {}): RuleInput {
  return {
    channel: 'whatsapp',
    provider: 'whatsapp-cloud',
    accountId: 'acc',
    text,
    identities: [],
    attributes: {},
    at: MONDAY_NOON,
    contacts: new Map(),
    ...extra,
  };
}

describe('RuleEngine with the default config', () => {
  it.each([
    ['İADE istiyorum', 'payments', 'P3', 'refund'],
    ['Ödeme yapamıyorum, kartım reddedildi', 'payments', 'P2', 'payment-problem'],
    ['odeme sayfasi acilmiyor', 'payments', 'P2', 'payment-problem'],
    ['hesabım çalındı!!', 'account-security', 'P1', 'account-takeover'],
    ['HESABIM ÇALINDI', 'account-security', 'P1', 'account-takeover'],
    ['Siparişim nerede? Kargom 5 gündür gelmedi', 'delivery', 'P2', 'delivery-delay'],
    ['I want a refund for my order', 'payments', 'P3', 'refund'],
    ['My account was HACKED', 'account-security', 'P1', 'account-takeover'],
    ['Where is my order? Tracking shows nothing', 'delivery', 'P2', 'delivery-delay'],
    ['Ürünü iade etmek istiyorum, iade kodu alabilir miyim', 'returns', 'P3', 'return-request'],
    ['Uygulama sürekli hata veriyor', 'technical', 'P3', 'technical'],
  ])('routes %j to %s at %s', (text, queue, priority, rule) => {
    const out = engine.evaluate(input(text));
    expect(out.queue).toBe(queue);
    expect(out.priority).toBe(priority);
    expect(out.ruleIds[0]).toBe(rule);
    expect(out.matchedTerms.length).toBeGreaterThan(0);
  });

  it('leaves an unmatched message for the default queue', () => {
    const out = engine.evaluate(input('Merhaba, bir sorum var'));
    expect(out.queue).toBeUndefined();
    expect(out.ruleIds).toEqual([]);
  });

  it('lets modifier rules raise priority and add tags without taking the queue', () => {
    const identities: Identity[] = [{ type: 'external', value: 'shop:42' }];
    const out = engine.evaluate(input('iade*', { attributes: { vip: 'true' }, identities }));
    expect(out.queue).toBe('payments');
    expect(out.priority).toBe('P2');
    expect(out.tags).toEqual(expect.arrayContaining(['refund', 'vip', 'known-customer']));
  });

  it('matches business hours in Europe/Istanbul', () => {
    expect(engine.evaluate(input('merhaba')).tags).not.toContain('after-hours');
    expect(engine.evaluate(input('merhaba', { at: new Date('2026-11-23T20:00:00Z') })).tags).toContain('after-hours');
  });

  it('matches repeated contact counts in a window', () => {
    const day = 24 * 3_600_000;
    expect(engine.repeatWindowsMs).toEqual([day]);
    expect(engine.evaluate(input('merhaba', { contacts: new Map([[day, 2]]) })).ruleIds).not.toContain('frequent-contact');
    const out = engine.evaluate(input('merhaba', { contacts: new Map([[day, 3]]) }));
    expect(out.ruleIds).toContain('frequent-contact');
    expect(out.priority).toBe('P2');
  });

  it('evaluates only override rules for a running conversation', () => {
    expect(engine.evaluate(input('kargom gelmedi'), { onlyOverride: true }).ruleIds).toEqual([]);
    expect(engine.evaluate(input('hesabım hacklendi'), { onlyOverride: true }).queue).toBe('account-security');
  });
});

describe('SlaPolicy', () => {
  it('uses the default targets per channel, tightened by priority', () => {
    expect(sla.targetMs('general', 'whatsapp', 'P3')).toBe(15 * 60_000);
    expect(sla.targetMs('general', 'whatsapp', 'P1')).toBe(225_000);
    expect(sla.targetMs('general', 'email', 'P2')).toBe(12 * 3_600_000);
    expect(sla.targetMs('general', 'webchat', 'P3')).toBe(60_000);
  });

  it('counts business hours only for queues that ask for it', () => {
    const fridayEvening = new Date('2026-11-27T14:50:00Z'); // 17:50 Istanbul
    expect(sla.dueAt(fridayEvening, 'general', 'whatsapp', 'P3').toISOString()).toBe('2026-11-27T15:05:00.000Z');
    // returns: 10 min on Friday, 5 min when Saturday opens at 10:00
    expect(sla.dueAt(fridayEvening, 'returns', 'whatsapp', 'P3').toISOString()).toBe('2026-11-28T07:05:00.000Z');
  });
});
