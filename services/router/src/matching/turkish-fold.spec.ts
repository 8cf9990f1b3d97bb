import { foldLoose, foldStrict, words } from './turkish-fold';

describe('turkish folding', () => {
  it('folds dotted and dotless capitals the Turkish way', () => {
    expect(foldStrict('İADE')).toBe('iade');
    expect(foldStrict('IŞIK')).toBe('ışık');
    expect(foldStrict('HESABIM ÇALINDI')).toBe('hesabım çalındı');
  });

  it('keeps diacritics in strict mode and drops them in loose mode', () => {
    expect(foldStrict('Ödeme')).toBe('ödeme');
    expect(foldLoose('Ödeme')).toBe('odeme');
    expect(foldLoose('odeme')).toBe('odeme');
    expect(foldLoose('HESABIM ÇALINDI')).toBe('hesabim calindi');
  });

  it('treats a decomposed ö like a composed one', () => {
    expect(foldLoose('o\u0308deme')).toBe('odeme');
    expect(foldStrict('o\u0308deme')).toBe('ödeme');
  });

  it('lets English capitals with I match in loose mode', () => {
    expect(foldLoose('BILLING')).toBe('billing');
  });

  it('splits words on punctuation, keeping letters and digits', () => {
    expect(words(foldStrict('Sipariş #1234, iade?'))).toEqual(['sipariş', '1234', 'iade']);
  });
});
