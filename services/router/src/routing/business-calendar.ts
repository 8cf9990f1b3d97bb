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
  /**
   * luxon's zone math (Intl formatToParts) is the costliest step of routing a message, and every
   * answer here depends only on the UTC minute (opening hours are minute-aligned) or the local
   * day: both are memoised, bounded.
   */
  private readonly openByMinute = new Map<number, boolean>();
  private readonly dayOfMinute = new Map<number, DateTime>();
  private readonly days = new Map<number, { intervals: Interval[]; next: DateTime }>();

  constructor(private readonly config: CalendarConfig) {
    this.holidays = new Set(config.holidays);
  }

  isOpen(at: Date): boolean {
    const minute = Math.floor(at.getTime() / 60_000);
    let open = this.openByMinute.get(minute);
    if (open === undefined) {
      const t = minute * 60_000;
      open = this.day(this.localDay(minute)).intervals.some((i) => t >= i.start && t < i.end);
      bounded(this.openByMinute).set(minute, open);
    }
    return open;
  }

  /** The instant `durationMs` of open time after `start` (the SLA clock running only while open). */
  addOpenTime(start: Date, durationMs: number): Date {
    let remaining = durationMs;
    const from = start.getTime();
    let day = this.localDay(Math.floor(from / 60_000));
    for (let n = 0; n < MAX_DAYS; n++) {
      const { intervals, next } = this.day(day);
      for (const interval of intervals) {
        const s = Math.max(interval.start, from);
        if (s >= interval.end) continue;
        if (s + remaining <= interval.end) return new Date(s + remaining);
        remaining -= interval.end - s;
      }
      day = next;
    }
    return new Date(from + durationMs); // no open hours within a year: fall back to wall-clock time
  }

  /** The start of the local day that UTC minute `minute` falls in. */
  private localDay(minute: number): DateTime {
    let day = this.dayOfMinute.get(minute);
    if (!day) {
      day = DateTime.fromMillis(minute * 60_000, { zone: this.config.timeZone }).startOf('day');
      bounded(this.dayOfMinute).set(minute, day);
    }
    return day;
  }

  private day(local: DateTime): { intervals: Interval[]; next: DateTime } {
    const key = local.toMillis();
    let entry = this.days.get(key);
    if (!entry) {
      entry = { intervals: this.intervalsOn(local), next: local.plus({ days: 1 }) };
      bounded(this.days).set(key, entry);
    }
    return entry;
  }

  private intervalsOn(day: DateTime): Interval[] {
    if (this.holidays.has(day.toISODate()!)) return [];
    const specs = this.config.hours[DAY_KEYS[day.weekday - 1]!] ?? [];
    return specs.map((spec) => {
      const [from, to] = spec.split('-') as [string, string];
      return { start: at(day, from), end: at(day, to) };
    });
  }
}

/** Memo tables are dropped whole past 10,000 entries (a restart's worth of minutes, cheap to refill). */
function bounded<K, V>(map: Map<K, V>): Map<K, V> {
  if (map.size > 10_000) map.clear();
  return map;
}

function at(day: DateTime, hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h === 24 ? day.plus({ days: 1 }).toMillis() : day.set({ hour: h, minute: m }).toMillis();
}
