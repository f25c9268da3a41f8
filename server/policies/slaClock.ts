/**
 * The SLA clock: when a target of N minutes started at `start` falls due, counting either every
 * minute or only the team's business hours (its IANA zone, weekly intervals and holidays, as
 * policies/businessHours.ts reads them). Pure; walks the calendar interval by interval, re-reading
 * local time after each step, so daylight-saving changes and holidays are handled by Intl.
 */
import { localTime, toMinutes, type HoursSpec } from './businessHours.js';

const MINUTE = 60_000;
/** Steps allowed before giving up (a team that is never open): about two years of daily steps. */
const MAX_STEPS = 2_000;

/**
 * The instant `minutes` of counted time after `start`. With `spec` null every minute counts. Null
 * when business hours never open (no interval on any day, or every day a holiday within the horizon).
 */
export function slaDeadline(start: number, minutes: number, spec: HoursSpec | null): number | null {
  if (spec === null || spec.weeklyHours === null && spec.holidays.length === 0) return start + minutes * MINUTE;
  let t = start;
  let left = minutes * MINUTE;
  for (let step = 0; step < MAX_STEPS; step++) {
    const local = localTime(t, spec.timeZone);
    const intoMinute = ((t % MINUTE) + MINUTE) % MINUTE;
    const toMidnight = (24 * 60 - local.minutes) * MINUTE - intoMinute;
    if (spec.holidays.includes(local.date)) {
      t += toMidnight;
      continue;
    }
    const intervals = spec.weeklyHours === null ? [['00:00', '24:00'] as [string, string]] : spec.weeklyHours[local.weekday] ?? [];
    const now = local.minutes;
    const open = intervals.find(([from, to]) => now >= toMinutes(from) && now < toMinutes(to));
    if (open) {
      const room = (toMinutes(open[1]) - now) * MINUTE - intoMinute;
      if (left <= room) return t + left;
      left -= room;
      t += room;
      continue;
    }
    const next = intervals.map(([from]) => toMinutes(from)).filter((from) => from > now).sort((a, b) => a - b)[0];
    t += next === undefined ? toMidnight : (next - now) * MINUTE - intoMinute;
  }
  return null;
}
