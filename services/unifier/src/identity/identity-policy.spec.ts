import { expect, it } from '@jest/globals';
import { findMentionedIdentities } from './find-mentioned-identities';
import { IdentityPolicy } from './identity-policy';

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
