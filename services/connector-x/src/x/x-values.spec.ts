import { describe, expect, it } from '@jest/globals';
import { oneToOneConversationId, otherParticipant, xUserId } from './x-ids';
import { fromCreatedAt, fromEpochMillis } from './x-time';

const US = '1580001122334455667';
const AT = '2026-11-21T09:00:00.000Z';

describe('X ids', () => {
  it('takes numeric strings (trimmed) and exact numbers as x identities, nothing else', () => {
    expect(xUserId('98765432')).toBe('98765432');
    expect(xUserId(' 98765432\n')).toBe('98765432');
    expect(xUserId(98765432)).toBe('98765432');
    expect(xUserId(Number(US))).toBeUndefined(); // beyond 2^53: digits already lost
    expect(xUserId('@ayse_y')).toBeUndefined();
    expect(xUserId('')).toBeUndefined();
    expect(xUserId(null)).toBeUndefined();
  });

  it('orders one-to-one conversation ids numerically, not as strings', () => {
    expect(oneToOneConversationId(US, '98765432')).toBe(`98765432-${US}`);
    expect(oneToOneConversationId('98765432', US)).toBe(`98765432-${US}`);
    expect(oneToOneConversationId('b', 'a')).toBe('a-b');
  });

  it('names the other participant of a one-to-one conversation, none of a group', () => {
    expect(otherParticipant(`98765432-${US}`, US)).toBe('98765432');
    expect(otherParticipant(`98765432-${US}`, '98765432')).toBe(US);
    expect(otherParticipant('1790000000000000777', US)).toBeUndefined();
    expect(otherParticipant(`98765432-${US}`, '1')).toBeUndefined();
  });
});

describe('X times', () => {
  it('reads ISO created_at and epoch-millisecond created_timestamp as UTC instants', () => {
    expect(fromCreatedAt('2026-11-20T09:15:02.000Z', AT)).toEqual({ iso: '2026-11-20T09:15:02.000Z', fallback: false });
    expect(fromEpochMillis('1763716500123', AT)).toEqual({ iso: '2025-11-21T09:15:00.123Z', fallback: false });
    expect(fromEpochMillis(1763716500123, AT)).toEqual({ iso: '2025-11-21T09:15:00.123Z', fallback: false });
    expect(fromCreatedAt('1763716500123', AT)).toEqual({ iso: '2025-11-21T09:15:00.123Z', fallback: false });
    expect(fromCreatedAt(1763716500123, AT)).toEqual({ iso: '2025-11-21T09:15:00.123Z', fallback: false });
  });

  it('falls back to receivedAt, flagged, for a missing, unreadable or out-of-range time', () => {
    for (const value of [undefined, '', 'yesterday', '2026-13-45T99:00:00Z', '0', '2026', '12'])
      expect(fromCreatedAt(value, AT)).toEqual({ iso: AT, fallback: true });
    for (const value of [undefined, '', '0', '-5', '12.5', '9999999999999999', Number.NaN, 1e300])
      expect(fromEpochMillis(value, AT)).toEqual({ iso: AT, fallback: true });
  });
});
