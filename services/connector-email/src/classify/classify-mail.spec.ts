import { expect, it } from '@jest/globals';
import { classifyMail } from './classify-mail';

const run = (headers: Record<string, string>, extra: Partial<Parameters<typeof classifyMail>[0]> = {}) =>
  classifyMail({ header: (n) => headers[n], deliveryReport: false, ...extra });

it('treats Auto-Submitted other than "no" as an auto-reply (RFC 3834)', () => {
  expect(run({ 'auto-submitted': 'auto-generated' }).autoReply).toBe(true);
  expect(run({ 'auto-submitted': 'no' }).autoReply).toBe(false);
});

it('detects Exchange out-of-office and Turkish OOO subjects', () => {
  expect(run({ 'x-ms-exchange-inbox-rules-loop': 'support@example.test' }).autoReply).toBe(true);
  expect(run({}, { subject: 'Ofis dışında: Sipariş' }).autoReply).toBe(true);
  expect(run({}, { subject: 'Otomatik yanıt: Sipariş' }).autoReply).toBe(true);
  expect(run({}, { subject: 'Sipariş iptali' }).autoReply).toBe(false);
});

it('detects bounces by report, failed-recipients header, or MAILER-DAEMON with a null sender', () => {
  expect(run({}, { deliveryReport: true })).toEqual({
    autoReply: false,
    bounce: true,
    feedbackReport: false,
    bulk: false,
  });
  expect(run({ 'x-failed-recipients': 'a@b.c' }).bounce).toBe(true);
  expect(run({ 'return-path': '<>' }, { fromAddress: 'MAILER-DAEMON@mx.example' }).bounce).toBe(true);
  expect(run({}, { fromAddress: 'postmaster@example.com', subject: 'Hello' }).bounce).toBe(false);
});

it('detects list and bulk mail', () => {
  expect(run({ 'list-id': '<x.example>' }).bulk).toBe(true);
  expect(run({ precedence: 'Bulk' }).bulk).toBe(true);
  expect(run({ precedence: 'first-class' }).bulk).toBe(false);
});
