import { describe, expect, it } from '@jest/globals';
import { IdentityError, normalizeIdentityValue, normalizeProviderPhone } from './identity';

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

  it.each(['12', 'call me', '+90 000', '0532 123 45'])(
    'refuses the phone "%s" with a reason naming the field',
    (raw) => {
      expect(() => normalizeIdentityValue('phone', raw)).toThrow(IdentityError);
      expect(() => normalizeIdentityValue('phone', raw)).toThrow(/"phone"/);
    },
  );

  it('lower-cases emails in ASCII only and keeps dots and +tags', () => {
    expect(normalizeIdentityValue('email', '  Ayse.Yilmaz+Siparis@Example.COM ')).toBe(
      'ayse.yilmaz+siparis@example.com',
    );
    expect(() => normalizeIdentityValue('email', 'not-an-address')).toThrow(/"email"/);
  });

  it('gives an IDN domain one canonical form, written in Unicode or punycode, upper or lower case', () => {
    expect(normalizeIdentityValue('email', '<info@Örnek.com.tr>')).toBe('info@örnek.com.tr');
    expect(normalizeIdentityValue('email', 'INFO@ÖRNEK.COM.TR')).toBe('info@örnek.com.tr');
    expect(normalizeIdentityValue('email', 'info@xn--rnek-4qa.com.tr')).toBe('info@örnek.com.tr');
  });

  it.each([
    ['"ayse yilmaz"@example.com', '"ayse yilmaz"@example.com'],
    ['"Ayse@Home"@Example.com', '"ayse@home"@example.com'],
    ['AYSE.YILMAZ@EXAMPLE.COM', 'ayse.yilmaz@example.com'],
    ['ayşe@örnek.com.tr', 'ayşe@örnek.com.tr'],
    ['İlker@example.com', 'İlker@example.com'],
    ["o'brien+tag@example.co.uk", "o'brien+tag@example.co.uk"],
    ['user@[192.0.2.1]', 'user@[192.0.2.1]'],
  ])('keeps the legal address %s', (raw, canonical) => {
    expect(normalizeIdentityValue('email', raw)).toBe(canonical);
    expect(normalizeIdentityValue('email', canonical)).toBe(canonical);
  });

  it.each([
    'a@b',
    'a b@example.com',
    '.a@example.com',
    'a..b@example.com',
    '@example.com',
    'a@exa mple.com',
    'a@-x.com',
  ])('refuses the address "%s"', (raw) => {
    expect(() => normalizeIdentityValue('email', raw)).toThrow(IdentityError);
  });

  it('holds addresses to the RFC 5321 limits in octets, the same the unifier looks up by', () => {
    const longest = `b@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(56)}.com`;
    expect(Buffer.byteLength(longest)).toBe(254);
    expect(normalizeIdentityValue('email', longest)).toBe(longest);
    expect(normalizeIdentityValue('email', `${'a'.repeat(64)}@example.com`)).toBe(`${'a'.repeat(64)}@example.com`);
    for (const over of [`bb${longest.slice(1)}`, `${'a'.repeat(65)}@example.com`, `${'ş'.repeat(33)}@example.com`])
      expect(() => normalizeIdentityValue('email', over)).toThrow(IdentityError);
    // 32 two-octet characters are 64 octets: still a local part.
    expect(normalizeIdentityValue('email', `${'ş'.repeat(32)}@example.com`)).toBe(`${'ş'.repeat(32)}@example.com`);
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

describe('normalizeProviderPhone', () => {
  it.each([
    // Brazilian mobile without the ninth digit, as WhatsApp still reports old accounts.
    ['551187654321', '+551187654321'],
    // Reserved / fictional and unassigned ranges that libphonenumber calls invalid.
    ['15550100123', '+15550100123'],
    ['905991234567', '+905991234567'],
    ['447700900123', '+447700900123'],
    ['+999 1234 5678', '+99912345678'],
  ])('keeps the verified number %s that the phone library calls invalid, flagged as not valid', (raw, value) => {
    expect(normalizeProviderPhone(raw)).toEqual({ value, valid: false });
    expect(() => normalizeIdentityValue('phone', value)).toThrow(IdentityError);
  });

  it('marks numbers the metadata knows as valid', () => {
    expect(normalizeProviderPhone('905321234567')).toEqual({ value: '+905321234567', valid: true });
    expect(normalizeProviderPhone('+49 30 901820')).toEqual({ value: '+4930901820', valid: true });
  });

  it.each(['', '1234', '0905321234567', '1234567890123456', '90532abc4567', '123456789@lid'])(
    'refuses "%s", which is not a plausible E.164 number',
    (raw) => {
      expect(() => normalizeProviderPhone(raw)).toThrow(IdentityError);
    },
  );
});
