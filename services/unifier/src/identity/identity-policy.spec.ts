import { expect, it } from '@jest/globals';
import { findMentionedIdentities } from './find-mentioned-identities';
import { globMatches, IdentityPolicy } from './identity-policy';

it('blocks shared inboxes, configured values and business identities, and checks limits', () => {
  const policy = new IdentityPolicy({
    blocked: ['phone:+905550000000'],
    business: ['email:destek@magaza.com'],
    limits: { phone: 2 },
  });
  expect(policy.isBlocked({ type: 'email', value: 'info@magaza.com' })).toBe(true);
  expect(policy.isBlocked({ type: 'email', value: 'no-reply@kargo.com' })).toBe(true);
  expect(policy.isBlocked({ type: 'email', value: 'destek@magaza.com' })).toBe(true);
  expect(policy.isBlocked({ type: 'phone', value: '+905550000000' })).toBe(true);
  expect(policy.isBlocked({ type: 'email', value: 'ayse@example.com' })).toBe(false);
  const phones = ['+905321234567', '+905321234568', '+905321234569'].map((value) => ({
    type: 'phone' as const,
    value,
  }));
  expect(policy.exceeded(phones.slice(0, 2))).toBeUndefined();
  expect(policy.exceeded(phones)).toBe('phone');
});

it('finds emails and phone numbers written in a message', () => {
  const found = findMentionedIdentities('E-postam Ayse.Y@Example.com, numaram 0532 123 45 67. Sipariş no 123456', 'TR');
  expect(found).toEqual([
    { type: 'email', value: 'ayse.y@example.com' },
    { type: 'phone', value: '+905321234567' },
  ]);
});

it('names the source of a blocked value and lists every configured entry once, in precedence order', () => {
  const policy = new IdentityPolicy({
    blocked: ['phone:+905550000000', 'email:info@*', 'email:ortak@*'],
    business: ['email:destek@magaza.com', 'phone:+905550000000'],
    limits: {},
  });
  expect(policy.sourceOf({ type: 'email', value: 'info@magaza.com' })).toBe('default');
  expect(policy.sourceOf({ type: 'email', value: 'ortak@firma.com' })).toBe('config');
  expect(policy.sourceOf({ type: 'phone', value: '+905550000000' })).toBe('config');
  expect(policy.sourceOf({ type: 'email', value: 'destek@magaza.com' })).toBe('business-config');
  expect(policy.sourceOf({ type: 'email', value: 'ayse@example.com' })).toBeUndefined();
  const entries = policy.entries();
  expect(entries.filter((e) => e.entry === 'email:info@*')).toEqual([
    { entry: 'email:info@*', pattern: true, source: 'default' },
  ]);
  const rank = entries.map((e) => ['default', 'config', 'business-config'].indexOf(e.source));
  expect(rank).toEqual([...rank].sort());
  expect(entries.find((e) => e.entry === 'phone:+905550000000')).toEqual({
    entry: 'phone:+905550000000',
    pattern: false,
    source: 'config',
  });
});

it('matches star patterns exactly and in linear time', () => {
  const glob = (pattern: string, key: string) => globMatches(pattern.split('*'), key);
  expect(glob('email:info@*', 'email:info@magaza.com')).toBe(true);
  expect(glob('email:info@*', 'email:xinfo@magaza.com')).toBe(false);
  expect(glob('email:*@*.example.*', 'email:a@b.example.com')).toBe(true);
  expect(glob('email:*@*.example.*', 'email:a@example.com')).toBe(false);
  expect(glob('a*a', 'a')).toBe(false);
  expect(glob('a*a', 'aa')).toBe(true);
  expect(glob('ab*b*ba', 'abba')).toBe(false);
  expect(glob('ab*b*ba', 'abbba')).toBe(true);
  expect(glob('x', 'x')).toBe(true);
  // What made the regex (^a.*a.*a.*a.*b$) backtrack: a long value that almost matches.
  const policy = new IdentityPolicy({ blocked: ['email:*a*a*a*a*a*b'], business: [], limits: {} });
  // A backtracking matcher would not finish within the test's time budget.
  expect(policy.isBlocked({ type: 'email', value: 'a'.repeat(5_000) })).toBe(false);
});
