import { describe, expect, it } from '@jest/globals';
import { actorIdentities, ignoredChat, normalizeJid, parseJid } from './jid-identity';

const opts = { defaultRegion: 'TR' };

describe('JIDs and identities', () => {
  it('strips device and agent suffixes and folds hosted domains', () => {
    expect(normalizeJid('905321234567:12@s.whatsapp.net')).toBe('905321234567@s.whatsapp.net');
    expect(normalizeJid('123456789012345:3@hosted.lid')).toBe('123456789012345@lid');
    expect(normalizeJid('905321234567@hosted')).toBe('905321234567@s.whatsapp.net');
    expect(parseJid('no-at-sign')).toBeUndefined();
  });

  it('takes the phone from a 6.x participantPn beside a LID participant', () => {
    expect(actorIdentities(['222233334444555:7@lid', undefined, '905551112233@s.whatsapp.net'], opts)).toEqual([
      { type: 'phone', value: '+905551112233' },
      { type: 'whatsapp-lid', value: '222233334444555@lid' },
    ]);
  });

  it('never turns a LID into a phone, even when the mapping store answers with another LID', () => {
    expect(actorIdentities(['222233334444555@lid'], { ...opts, lidToPn: () => '999@lid' })).toEqual([
      { type: 'whatsapp-lid', value: '222233334444555@lid' },
    ]);
  });

  it('leaves out a PN that is not a valid number rather than guessing', () => {
    expect(actorIdentities(['123@s.whatsapp.net'], opts)).toEqual([]);
  });

  it('recognises status broadcasts, broadcast lists and newsletters', () => {
    expect(ignoredChat('status@broadcast')).toBe('status-broadcast');
    expect(ignoredChat('1234567@broadcast')).toBe('broadcast');
    expect(ignoredChat('120363041234567890@newsletter')).toBe('newsletter');
    expect(ignoredChat('905321234567@s.whatsapp.net')).toBeUndefined();
  });
});
