import { expect, it } from '@jest/globals';
import { stripQuotes } from './strip-quotes';

it.each([
  ['Gmail TR on one line', 'Tamam.\n\nAyşe <a@b.com>, 1 Ağu 2025 Cum, 08:06 tarihinde şunu yazdı:\n> önce', 'Tamam.'],
  ['Gmail TR wrapped', 'Tamam.\n\nAyşe <a@b.com>, 1 Ağu 2025 Cum, 08:06\ntarihinde şunu yazdı:\n> önce', 'Tamam.'],
  ['Outlook TR header block', 'Yeni.\n\nKimden: X <x@y.z>\nGönderildi: 1 Ağustos 2025\nKonu: Eski', 'Yeni.'],
  ['Outlook EN header block', 'New.\n\nFrom: X <x@y.z>\nSent: Friday\nSubject: Old', 'New.'],
  ['Original Message separator', 'New.\n-----Original Message-----\nold', 'New.'],
  ['unknown attribution above a > block', 'Yes.\n\nLe 1 août, X a dit :\n> old', 'Yes.'],
  ['mobile footers only', 'Evet.\n\nSamsung Galaxy cihazımdan gönderildi', 'Evet.'],
  ['Outlook mobile footer TR', 'Evet.\nAndroid için Outlook\'u edinin', 'Evet.'],
])('%s', (_name, body, expected) => {
  expect(stripQuotes(body)).toBe(expected);
});

it('keeps prose that merely mentions "From:" or ends in a colon', () => {
  const body = 'From: the warehouse, nothing arrived.\nReasons are:\n- late\n- broken';
  expect(stripQuotes(body)).toBe(body);
});

it('does not cut the line before an attribution when it is plain prose', () => {
  expect(stripQuotes('Teşekkürler\ntarihinde şunu yazdı:\n> x')).toBe('Teşekkürler');
});
