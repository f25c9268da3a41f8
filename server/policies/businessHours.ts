/**
 * Business hours of a team: weekly intervals in the team's IANA time zone, minus holidays. Pure,
 * computed with Intl (no time-zone dependency), so it is right across daylight-saving changes.
 */
import { WEEKDAYS, type Weekday, type WeeklyHours } from '../../protocol/contactCentre.js';
import { AppError } from '../errors.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new AppError('validation_failed', `unknown time zone "${timeZone.slice(0, 64)}"`);
  }
}

/** Weekday, calendar date (YYYY-MM-DD) and minutes since midnight of `at` in `timeZone`. */
export function localTime(at: number, timeZone: string): { weekday: Weekday; date: string; minutes: number } {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const weekday = (parts.weekday ?? 'Mon').toLowerCase().slice(0, 3) as Weekday;
  const hour = Number(parts.hour) % 24;
  return { weekday: WEEKDAYS.includes(weekday) ? weekday : 'mon', date: `${parts.year}-${parts.month}-${parts.day}`, minutes: hour * 60 + Number(parts.minute) };
}

/** Minutes since local midnight of "HH:MM"; "24:00" is 1,440, the end of the day. */
export const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export interface HoursSpec {
  timeZone: string;
  weeklyHours: WeeklyHours | null;
  holidays: readonly string[];
}

/** True when `at` falls inside an opening interval (start inclusive, end exclusive) and is not a holiday. */
export function isWithinHours(spec: HoursSpec, at: number): boolean {
  const local = localTime(at, spec.timeZone);
  if (spec.holidays.includes(local.date)) return false;
  if (spec.weeklyHours === null) return true;
  const intervals = spec.weeklyHours[local.weekday] ?? [];
  return intervals.some(([from, to]) => local.minutes >= toMinutes(from) && local.minutes < toMinutes(to));
}
