import { DateTime } from 'luxon';
import type { CalendarConfig } from '../routing-config/routing-config-schema';

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** Safety bound: a calendar with (almost) no open hours must not loop forever. */
const MAX_DAYS = 400;

interface Interval {
  start: number;
  end: number;
}

/** Opening hours in one time zone (luxon handles DST and offsets), with holidays. */
export class BusinessCalendar {
  private readonly holidays: Set<string>;
  /** Open/closed per UTC minute: opening hours are minute-aligned and luxon zone math is costly. */
  private readonly openByMinute = new Map<number, boolean>();

  constructor(private readonly config: CalendarConfig) {
    this.holidays = new Set(config.holidays);
  }

  isOpen(at: Date): boolean {
    const minute = Math.floor(at.getTime() / 60_000);
    let open = this.openByMinute.get(minute);
    if (open === undefined) {
      const t = minute * 60_000;
      open = this.intervalsOn(DateTime.fromMillis(t, { zone: this.config.timeZone })).some((i) => t >= i.start && t < i.end);
      if (this.openByMinute.size > 10_000) this.openByMinute.clear();
      this.openByMinute.set(minute, open);
    }
    return open;
  }

  /** The instant `durationMs` of open time after `start` (the SLA clock running only while open). */
  addOpenTime(start: Date, durationMs: number): Date {
    let remaining = durationMs;
    let day = DateTime.fromJSDate(start, { zone: this.config.timeZone }).startOf('day');
    const from = start.getTime();
    for (let n = 0; n < MAX_DAYS; n++, day = day.plus({ days: 1 })) {
      for (const interval of this.intervalsOn(day)) {
        const s = Math.max(interval.start, from);
        if (s >= interval.end) continue;
        if (s + remaining <= interval.end) return new Date(s + remaining);
        remaining -= interval.end - s;
      }
    }
    return new Date(from + durationMs); // no open hours within a year: fall back to wall-clock time
  }

  private intervalsOn(local: DateTime): Interval[] {
    const day = local.startOf('day');
    if (this.holidays.has(day.toISODate()!)) return [];
    const specs = this.config.hours[DAY_KEYS[day.weekday - 1]!] ?? [];
    return specs.map((spec) => {
      const [from, to] = spec.split('-') as [string, string];
      return { start: at(day, from), end: at(day, to) };
    });
  }
}

function at(day: DateTime, hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h === 24 ? day.plus({ days: 1 }).toMillis() : day.set({ hour: h, minute: m }).toMillis();
}
