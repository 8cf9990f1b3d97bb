import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { boundedEventTime, checkEventTime, EARLIEST_EVENT_TIME, EVENT_TIME_FUTURE_MS } from './event-time';

const now = new Date('2026-03-01T12:00:00.000Z');
const latest = now.getTime() + EVENT_TIME_FUTURE_MS;

/** `ms` written with a UTC offset of `minutes` (what a client in that zone would send). */
function withOffset(ms: number, minutes: number): string {
  const local = new Date(ms + minutes * 60_000).toISOString().slice(0, -1);
  if (minutes === 0) return `${local}Z`;
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${minutes < 0 ? '-' : '+'}${hh}:${mm}`;
}

describe('checkEventTime', () => {
  it('accepts exactly 1970-01-01 ≤ t ≤ now + 1 day with a real offset, as the same instant in UTC', () => {
    const span = 300 * 365 * 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: EARLIEST_EVENT_TIME - span, max: latest + span }),
        fc.integer({ min: -24 * 60 + 1, max: 24 * 60 - 1 }),
        (ms, offset) => {
          const iso = withOffset(ms, offset);
          const checked = checkEventTime(iso, now);
          const inRange = ms >= EARLIEST_EVENT_TIME && ms <= latest;
          const realOffset = Math.abs(offset) <= 14 * 60;
          // Years before 0000 or after 9999 have no 4-digit form; Date.parse refuses what toISOString writes for them.
          if (!Number.isFinite(Date.parse(iso))) return expect(checked.ok).toBe(false);
          expect(checked.ok).toBe(inRange && realOffset);
          if (checked.ok) expect(checked.value).toBe(new Date(ms).toISOString());
        },
      ),
      { seed: 1611, numRuns: 5_000 },
    );
  });

  it('names the probe inputs that used to reach Postgres', () => {
    expect(checkEventTime('0000-01-01T00:00:00Z', now)).toMatchObject({ ok: false, problem: 'too-early' });
    expect(checkEventTime('9999-12-31T23:59:59Z', now)).toMatchObject({ ok: false, problem: 'too-late' });
    expect(checkEventTime('2026-03-01T12:00:00+23:59', now)).toMatchObject({ ok: false, problem: 'offset' });
    expect(checkEventTime('1969-12-31T23:59:59.999Z', now)).toMatchObject({ ok: false, problem: 'too-early' });
    expect(checkEventTime('1970-01-01T00:00:00Z', now)).toEqual({ ok: true, value: '1970-01-01T00:00:00.000Z' });
    expect(checkEventTime('2026-03-02T12:00:00.000Z', now)).toMatchObject({ ok: true });
    expect(checkEventTime('2026-03-02T12:00:00.001Z', now)).toMatchObject({ ok: false, problem: 'too-late' });
    expect(checkEventTime('2026-03-01T15:00:00+03:00', now)).toEqual({ ok: true, value: '2026-03-01T12:00:00.000Z' });
    expect(checkEventTime('not a date', now)).toMatchObject({ ok: false, problem: 'invalid' });
  });
});

describe('boundedEventTime', () => {
  it('falls back to the given time when the provider time is unusable or missing', () => {
    const received = now.toISOString();
    expect(boundedEventTime('2026-03-01T11:00:00Z', received, now)).toEqual({
      value: '2026-03-01T11:00:00.000Z',
      fallback: false,
    });
    expect(boundedEventTime('0000-01-01T00:00:00Z', received, now)).toEqual({ value: received, fallback: true });
    expect(boundedEventTime(undefined, received, now)).toEqual({ value: received, fallback: true });
  });
});
