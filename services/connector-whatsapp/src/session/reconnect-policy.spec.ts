import { Boom } from '@hapi/boom';
import { describe, expect, it } from '@jest/globals';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { DISCONNECT, decideReconnect, disconnectCode } from './reconnect-policy';

const backoff = { baseMs: 1_000, maxMs: 60_000 };

describe('decideReconnect', () => {
  it('mirrors the codes of the installed Baileys DisconnectReason', () => {
    for (const [name, code] of Object.entries(DISCONNECT)) expect(DisconnectReason[name as keyof typeof DisconnectReason]).toBe(code);
  });

  it('reconnects at once on 515 restart required', () => {
    expect(decideReconnect(515, 7, backoff)).toEqual({ action: 'reconnect', delayMs: 0, reason: 'restart-required' });
  });

  it('re-pairs on 401 logged out', () => {
    expect(decideReconnect(401, 0, backoff).action).toBe('logged-out');
  });

  it('stops on 440 conflict and 403 forbidden instead of looping', () => {
    expect(decideReconnect(440, 0, backoff)).toMatchObject({ action: 'stop', state: 'conflict' });
    expect(decideReconnect(403, 0, backoff)).toMatchObject({ action: 'stop', state: 'forbidden' });
  });

  it('backs off exponentially with full jitter, capped, for everything else', () => {
    for (const code of [408, 428, 500, 503, 411, undefined]) {
      expect(decideReconnect(code, 0, backoff, () => 1)).toMatchObject({ action: 'reconnect', delayMs: 1_000 });
      expect(decideReconnect(code, 3, backoff, () => 1)).toMatchObject({ delayMs: 8_000 });
      expect(decideReconnect(code, 3, backoff, () => 0.5)).toMatchObject({ delayMs: 4_000 });
      expect(decideReconnect(code, 30, backoff, () => 1)).toMatchObject({ delayMs: 60_000 });
    }
  });

  it('reads the status code from the Boom Baileys closes with', () => {
    expect(disconnectCode(new Boom('Connection Failure', { statusCode: 401 }))).toBe(401);
    expect(disconnectCode(new Error('plain'))).toBeUndefined();
  });
});
