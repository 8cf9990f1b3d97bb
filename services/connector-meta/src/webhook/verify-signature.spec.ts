import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signBody, verifySignature } from './verify-signature';
import { verifySubscription } from './verify-subscription';

const raw = Buffer.from('{"text":"sipari\\u015fim"}');

describe('verifySignature', () => {
  it('accepts the HMAC-SHA256 of the raw bytes with any current app secret', () => {
    expect(verifySignature(raw, signBody(raw, 'new-secret-1'), ['old-secret-0', 'new-secret-1'])).toEqual({ ok: true });
    expect(signBody(raw, 's3cret-app')).toBe(`sha256=${createHmac('sha256', 's3cret-app').update(raw).digest('hex')}`);
  });

  it('rejects a body that was parsed and re-serialised (escapes lost)', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(reserialised.equals(raw)).toBe(false);
    expect(verifySignature(raw, signBody(reserialised, 's3cret-app'), ['s3cret-app'])).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('names missing, unprefixed and wrong signatures', () => {
    const hex = signBody(raw, 's3cret-app').slice('sha256='.length);
    expect(verifySignature(raw, undefined, ['s3cret-app'])).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature(raw, hex, ['s3cret-app'])).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(raw, `sha1=${hex}`, ['s3cret-app'])).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(raw, signBody(raw, 'other-secret'), ['s3cret-app'])).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('verifySubscription', () => {
  it('echoes the challenge only for subscribe with the right token', () => {
    const q = { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-token-1', 'hub.challenge': '1158201444' };
    expect(verifySubscription(q, 'verify-token-1')).toBe('1158201444');
    expect(verifySubscription({ ...q, 'hub.verify_token': 'wrong' }, 'verify-token-1')).toBeUndefined();
    expect(verifySubscription({ ...q, 'hub.mode': 'unsubscribe' }, 'verify-token-1')).toBeUndefined();
  });
});
