import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { crcResponseToken, isValidSignature } from './x-signature';

const SECRET = 'consumer-secret-for-tests';

describe('X webhook signatures', () => {
  it('answers the CRC with sha256= and the base64 HMAC of the token', () => {
    // Reference value computed independently: printf %s token | openssl dgst -sha256 -hmac SECRET -binary | base64
    const expected = createHmac('sha256', SECRET).update('crc-token-123').digest('base64');
    expect(crcResponseToken(SECRET, 'crc-token-123')).toBe(`sha256=${expected}`);
  });

  it('accepts the signature of the exact raw bytes and rejects anything else', () => {
    const raw = Buffer.from('{"for_user_id":"1", "x":"İ"}');
    const header = `sha256=${createHmac('sha256', SECRET).update(raw).digest('base64')}`;
    expect(isValidSignature(SECRET, raw, header)).toBe(true);
    expect(isValidSignature(SECRET, Buffer.from('{"for_user_id":"1","x":"İ"}'), header)).toBe(false);
    expect(isValidSignature('other-secret', raw, header)).toBe(false);
    expect(isValidSignature(SECRET, raw, header.replace('sha256=', ''))).toBe(false);
    expect(isValidSignature(SECRET, raw, 'sha256=AAAA')).toBe(false);
    expect(isValidSignature(SECRET, raw, '')).toBe(false);
  });
});
