import { expect, it } from '@jest/globals';
import { analyzeSubject } from './subject';

it.each([
  ['YNT: YNT: Sipariş Durumu', { base: 'sipariş durumu', isReply: true, isForward: false }],
  ['RE: AW: Lieferung', { base: 'lieferung', isReply: true, isForward: false }],
  ['İLT: Kargo', { base: 'kargo', isReply: false, isForward: true }],
  ['Fwd: Re[2]: İADE', { base: 'iade', isReply: true, isForward: true }],
  ['Sipariş', { base: 'sipariş', isReply: false, isForward: false }],
  ['Reklamation: defekt', { base: 'reklamation: defekt', isReply: false, isForward: false }],
])('%s', (subject, expected) => {
  expect(analyzeSubject(subject)).toEqual(expected);
});
