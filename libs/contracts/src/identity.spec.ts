import { describe, expect, it } from '@jest/globals';
import { IdentityError, normalizeIdentityValue } from './identity';

describe('normalizeIdentityValue', () => {
  it.each([
    ['+90 532 123 45 67', '+905321234567'],
    ['0532 123 45 67', '+905321234567'],
    ['05321234567', '+905321234567'],
    ['00905321234567', '+905321234567'],
    ['(0532) 123-45-67', '+905321234567'],
    ['+49 30 901820', '+4930901820'],
  ])('normalizes the phone %s to E.164', (raw, e164) => {
    expect(normalizeIdentityValue('phone', raw)).toBe(e164);
  });

  it('uses the configured region for national formats', () => {
    expect(normalizeIdentityValue('phone', '030 901820', { defaultRegion: 'DE' })).toBe('+4930901820');
  });

  it('remembers normalized numbers per region, never across regions', () => {
    expect(normalizeIdentityValue('phone', '030 901820', { defaultRegion: 'DE' })).toBe('+4930901820');
    expect(normalizeIdentityValue('phone', '030 901820', { defaultRegion: 'DE' })).toBe('+4930901820');
    // The same national digits mean another number (or none) in another region.
    expect(() => normalizeIdentityValue('phone', '030 901820', { defaultRegion: 'TR' })).toThrow(IdentityError);
  });

  it.each(['12', 'call me', '+90 000', '0532 123 45'])('refuses the phone "%s" with a reason naming the field', (raw) => {
    expect(() => normalizeIdentityValue('phone', raw)).toThrow(IdentityError);
    expect(() => normalizeIdentityValue('phone', raw)).toThrow(/"phone"/);
  });

  it('lower-cases emails in ASCII only and keeps dots and +tags', () => {
    expect(normalizeIdentityValue('email', '  Ayse.Yilmaz+Siparis@Example.COM ')).toBe('ayse.yilmaz+siparis@example.com');
    expect(normalizeIdentityValue('email', '<info@Örnek.com.tr>')).toBe('info@Örnek.com.tr');
    expect(() => normalizeIdentityValue('email', 'not-an-address')).toThrow(/"email"/);
  });

  it('strips the device from a WhatsApp LID and requires digits', () => {
    expect(normalizeIdentityValue('whatsapp-lid', '123456789:12@lid')).toBe('123456789@lid');
    expect(normalizeIdentityValue('whatsapp-lid', '123456789')).toBe('123456789@lid');
    expect(() => normalizeIdentityValue('whatsapp-lid', '905321234567@s.whatsapp.net')).toThrow(IdentityError);
  });

  it('checks account-scoped ids and external namespaces', () => {
    expect(normalizeIdentityValue('instagram', '1784:9912')).toBe('1784:9912');
    expect(() => normalizeIdentityValue('instagram', '9912')).toThrow(/igAccountId/);
    expect(normalizeIdentityValue('external', 'Shop:C-1001')).toBe('shop:C-1001');
    expect(() => normalizeIdentityValue('external', 'no-namespace')).toThrow(/namespace/);
    expect(normalizeIdentityValue('x', ' 12345 ')).toBe('12345');
    expect(() => normalizeIdentityValue('x', '@ayse')).toThrow(IdentityError);
  });

  it('is idempotent', () => {
    for (const [type, raw] of [
      ['phone', '0532 123 45 67'],
      ['email', 'A@B.co'],
      ['whatsapp-lid', '1:2@lid'],
      ['external', 'CRM:42'],
    ] as const) {
      const once = normalizeIdentityValue(type, raw);
      expect(normalizeIdentityValue(type, once)).toBe(once);
    }
  });
});
