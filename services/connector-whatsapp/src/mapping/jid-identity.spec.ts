import { describe, expect, it } from '@jest/globals';
import { actorIdentities, ignoredChat, normalizeJid, parseJid } from './jid-identity';

describe('JIDs and identities', () => {
  it('strips device and agent suffixes and folds hosted domains', () => {
    expect(normalizeJid('905321234567:12@s.whatsapp.net')).toBe('905321234567@s.whatsapp.net');
    expect(normalizeJid('123456789012345:3@hosted.lid')).toBe('123456789012345@lid');
    expect(normalizeJid('905321234567@hosted')).toBe('905321234567@s.whatsapp.net');
    expect(parseJid('no-at-sign')).toBeUndefined();
  });

  it('takes the phone from a 6.x participantPn beside a LID participant', () => {
    expect(actorIdentities(['222233334444555:7@lid', undefined, '905551112233@s.whatsapp.net'])).toEqual({
      identities: [
        { type: 'phone', value: '+905551112233' },
        { type: 'whatsapp-lid', value: '222233334444555@lid' },
      ],
      phoneUnverified: false,
      identityFallback: false,
    });
  });

  it('keeps a WhatsApp-verified number libphonenumber calls invalid as the phone, flagged', () => {
    // A Brazilian mobile without the ninth digit, and a number in the +1 555 01xx fiction range.
    expect(actorIdentities(['5511876543210@s.whatsapp.net'])).toEqual({
      identities: [{ type: 'phone', value: '+5511876543210' }],
      phoneUnverified: true,
      identityFallback: false,
    });
    expect(actorIdentities(['188877766655544@lid', '15550123@s.whatsapp.net']).identities).toEqual([
      { type: 'phone', value: '+15550123' },
      { type: 'whatsapp-lid', value: '188877766655544@lid' },
    ]);
  });

  it('never turns a LID into a phone, even when the mapping store answers with another LID', () => {
    expect(actorIdentities(['222233334444555@lid'], { lidToPn: () => '999@lid' }).identities).toEqual([
      { type: 'whatsapp-lid', value: '222233334444555@lid' },
    ]);
    expect(actorIdentities(['222233334444555@lid']).identities).toEqual([
      { type: 'whatsapp-lid', value: '222233334444555@lid' },
    ]);
  });

  it('takes an unverifiable number from the LID mapping store as the phone too, flagged', () => {
    expect(actorIdentities(['222233334444555@lid'], { lidToPn: () => '5511876543210:0@s.whatsapp.net' })).toMatchObject(
      {
        identities: [
          { type: 'phone', value: '+5511876543210' },
          { type: 'whatsapp-lid', value: '222233334444555@lid' },
        ],
        phoneUnverified: true,
      },
    );
  });

  it('leaves out what is not a number or a LID at all, and says so', () => {
    expect(actorIdentities(['123@s.whatsapp.net'])).toEqual({
      identities: [],
      phoneUnverified: false,
      identityFallback: true,
    });
    expect(actorIdentities(['abc@lid', '905551112233@s.whatsapp.net'])).toEqual({
      identities: [{ type: 'phone', value: '+905551112233' }],
      phoneUnverified: false,
      identityFallback: true,
    });
  });

  it('never gives the session its own JIDs as the customer', () => {
    const exclude = new Set(['s.whatsapp.net:905320000000']);
    expect(actorIdentities(['123456789012345@lid', '905320000000@s.whatsapp.net'], { exclude }).identities).toEqual([
      { type: 'whatsapp-lid', value: '123456789012345@lid' },
    ]);
  });

  it('recognises status broadcasts, broadcast lists and newsletters', () => {
    expect(ignoredChat('status@broadcast')).toBe('status-broadcast');
    expect(ignoredChat('1234567@broadcast')).toBe('broadcast');
    expect(ignoredChat('120363041234567890@newsletter')).toBe('newsletter');
    expect(ignoredChat('905321234567@s.whatsapp.net')).toBeUndefined();
  });
});
