import { messageTime, possibleTime, PROVIDER_CLOCK_SKEW_MS } from './message-time';

const now = new Date('2026-03-02T09:00:00.000Z');
const receivedAt = '2026-03-02T08:59:00.000Z';

describe('messageTime', () => {
  it('uses occurredAt when it is possible, in UTC', () => {
    expect(messageTime({ occurredAt: '2026-03-02T11:58:30+03:00', receivedAt }, now)).toEqual({
      at: new Date('2026-03-02T08:58:30.000Z'),
      bounded: false,
    });
    // A provider clock slightly ahead of ours is believed.
    const ahead = new Date(Date.parse(receivedAt) + PROVIDER_CLOCK_SKEW_MS).toISOString();
    expect(messageTime({ occurredAt: ahead, receivedAt }, now)).toEqual({ at: new Date(ahead), bounded: false });
  });

  it.each([
    ['year 9999', '9999-12-31T23:59:59.999Z'],
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['before 1970', '1969-12-31T23:59:59Z'],
    ['an offset beyond ±14:00', '2026-03-02T09:00:00+23:59'],
    ['ahead of its receipt beyond the skew', '2026-03-02T09:05:01Z'],
  ])('falls back to receivedAt for an occurredAt in %s', (_what, occurredAt) => {
    expect(messageTime({ occurredAt, receivedAt }, now)).toEqual({ at: new Date(receivedAt), bounded: true });
  });

  it('falls back to now when receivedAt is unusable too', () => {
    expect(messageTime({ occurredAt: '9999-01-01T00:00:00Z', receivedAt: '9999-01-01T00:00:00Z' }, now)).toEqual({
      at: now,
      bounded: true,
    });
  });
});

describe('possibleTime', () => {
  it('keeps a possible time and replaces an impossible one', () => {
    const fallback = new Date(receivedAt);
    expect(possibleTime('2026-03-01T10:00:00Z', fallback, now)).toEqual(new Date('2026-03-01T10:00:00Z'));
    expect(possibleTime('9999-12-31T23:59:59Z', fallback, now)).toBe(fallback);
  });
});
