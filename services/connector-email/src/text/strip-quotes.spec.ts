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
  ['Outlook mobile footer TR', "Evet.\nAndroid için Outlook'u edinin", 'Evet.'],
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

it.each([
  [
    'Gmail EN wrapped before "wrote:"',
    'Still no refund.\n\nOn Mon, Nov 24, 2025 at 4:12 PM Support <support@example.test>\n wrote:\n\n> Refund issued.',
    'Still no refund.',
  ],
  [
    'Gmail EN wrapped over three lines',
    'Still no refund.\n\nOn Mon, Nov 24, 2025 at 4:12 PM Kanal Support Team\n<support@example.test>\nwrote:\n\n> Refund issued.',
    'Still no refund.',
  ],
  [
    'Yahoo "--- On … wrote:" with an unquoted header block',
    'Empty box.\n\n--- On Mon, 11/24/25, Support <s@example.test> wrote:\n\nFrom: Support <s@example.test>\nSubject: x\n\nDelivered.',
    'Empty box.',
  ],
  [
    'Russian wrapped "… пользователь … написал:"',
    'Спасибо.\n\n25.11.2025, 10:00, пользователь Служба поддержки\n<support@example.test> написал:\n> Заказ отправлен.',
    'Спасибо.',
  ],
  [
    'Russian Thunderbird "… пишет:"',
    'Спасибо.\n\n24.11.2025 10:00, Служба поддержки пишет:\n> Заказ отправлен.',
    'Спасибо.',
  ],
  [
    'Russian Gmail "… г. в 10:00, Имя <адрес>:"',
    'Спасибо.\n\nпн, 24 нояб. 2025 г. в 10:00, Служба <support@example.test>:\n> Заказ отправлен.',
    'Спасибо.',
  ],
  [
    'an unknown attribution wrapped above a > block',
    'Yes.\n\n2025-11-24 10:00 GMT+3 Kanal Destek\n<support@example.test> skrev:\n> old',
    'Yes.',
  ],
  [
    'bottom posting: the new text follows the quote',
    'On Mon, 24 Nov 2025, Support <s@example.test> wrote:\n> A photo, please?\n\nHere it is.\n\n--\nTom',
    'Here it is.',
  ],
  ['bottom posting without an attribution', '> A photo, please?\n> Thanks\n\nHere it is.', 'Here it is.'],
])('%s', (_name, body, expected) => {
  expect(stripQuotes(body)).toBe(expected);
});

it('keeps a line that merely ends with an address before an attribution of its own', () => {
  expect(stripQuotes('Write to ali@example.com\nOn Mon, 24 Nov 2025, X <x@y.z> wrote:\n> old')).toBe(
    'Write to ali@example.com',
  );
});
