import { BusinessCalendar } from './business-calendar';

const istanbul = new BusinessCalendar({
  timeZone: 'Europe/Istanbul',
  hours: { mon: ['09:00-18:00'], tue: ['09:00-18:00'], wed: ['09:00-12:00', '13:00-18:00'], fri: ['09:00-18:00'] },
  holidays: ['2026-04-23'],
});

describe('BusinessCalendar', () => {
  it('knows when the office is open in its own time zone (UTC+3)', () => {
    expect(istanbul.isOpen(new Date('2026-11-23T06:30:00Z'))).toBe(true); // Mon 09:30 Istanbul
    expect(istanbul.isOpen(new Date('2026-11-23T05:30:00Z'))).toBe(false); // Mon 08:30
    expect(istanbul.isOpen(new Date('2026-11-25T09:30:00Z'))).toBe(false); // Wed 12:30 lunch
    expect(istanbul.isOpen(new Date('2026-11-26T08:00:00Z'))).toBe(false); // Thursday closed
    expect(istanbul.isOpen(new Date('2026-04-23T08:00:00Z'))).toBe(false); // holiday
  });

  it('adds open time only, skipping nights, lunch and closed days', () => {
    // Mon 17:30 + 1 h of open time → Tue 09:30 Istanbul
    expect(istanbul.addOpenTime(new Date('2026-11-23T14:30:00Z'), 3_600_000).toISOString()).toBe('2026-11-24T06:30:00.000Z');
    // Wed 11:30 + 1 h → 13:30 (lunch skipped)
    expect(istanbul.addOpenTime(new Date('2026-11-25T08:30:00Z'), 3_600_000).toISOString()).toBe('2026-11-25T10:30:00.000Z');
    // Wed 17:45 + 30 min → Fri 09:15 (Thursday closed)
    expect(istanbul.addOpenTime(new Date('2026-11-25T14:45:00Z'), 1_800_000).toISOString()).toBe('2026-11-27T06:15:00.000Z');
  });

  it('starts the clock at opening time when a message arrives at night', () => {
    expect(istanbul.addOpenTime(new Date('2026-11-23T20:00:00Z'), 60_000).toISOString()).toBe('2026-11-24T06:01:00.000Z');
  });
});
