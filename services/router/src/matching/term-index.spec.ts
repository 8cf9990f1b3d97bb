import { TermIndex } from './term-index';

const index = new TermIndex([
  { owner: 'payments', term: 'ödeme', mode: 'loose' },
  { owner: 'refunds', term: 'iade*', mode: 'loose' },
  { owner: 'security', term: 'hesabım çalındı', mode: 'loose' },
  { owner: 'security', term: 'account hacked', mode: 'loose' },
  { owner: 'strict', term: 'ışık', mode: 'strict' },
  { owner: 'delivery', term: 'kargo nerede*', mode: 'loose' },
]);

const owners = (text: string) => index.match(text).map((m) => `${m.owner}:${m.term}`).sort();

describe('TermIndex', () => {
  it('matches Turkish words regardless of case and diacritics', () => {
    expect(owners('Ödeme yapamıyorum')).toEqual(['payments:ödeme']);
    expect(owners('odeme alinmadi')).toEqual(['payments:ödeme']);
    expect(owners('İADE istiyorum')).toEqual(['refunds:iade*']);
  });

  it('matches prefixes only where the term says so', () => {
    expect(owners('iadem ne zaman')).toEqual(['refunds:iade*']);
    expect(owners('ödemeler')).toEqual([]);
  });

  it('respects word boundaries', () => {
    expect(owners('geriödeme')).toEqual([]);
    expect(owners('ödeme.')).toEqual(['payments:ödeme']);
  });

  it('matches phrases word by word across punctuation and case', () => {
    expect(owners('Yardım! HESABIM ÇALINDI')).toEqual(['security:hesabım çalındı']);
    expect(owners('hesabim calindi')).toEqual(['security:hesabım çalındı']);
    expect(owners('my ACCOUNT was hacked')).toEqual([]);
    expect(owners('Account hacked!!')).toEqual(['security:account hacked']);
    expect(owners('kargo neredeyse geldi')).toEqual(['delivery:kargo nerede*']);
  });

  it('keeps diacritics significant in strict mode', () => {
    expect(owners('IŞIK yanmıyor')).toEqual(['strict:ışık']);
    expect(owners('isik yanmiyor')).toEqual([]);
  });

  it('reports each term once', () => {
    expect(owners('ödeme ödeme ÖDEME')).toEqual(['payments:ödeme']);
  });
});
