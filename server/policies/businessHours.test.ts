import { describe, expect, it } from 'vitest';
import { assertTimeZone, isWithinHours, localTime } from './businessHours.js';

const weekdays9to17 = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] } as const;
const spec = (timeZone: string, holidays: string[] = []) => ({ timeZone, weeklyHours: weekdays9to17 as never, holidays });

describe('business hours', () => {
  it('reads the local weekday and time in the team time zone, across DST', () => {
    // 2026-03-30 is a Monday; Paris is UTC+2 (summer time) from 2026-03-29.
    expect(localTime(Date.UTC(2026, 2, 30, 7, 30), 'Europe/Paris')).toEqual({ weekday: 'mon', date: '2026-03-30', minutes: 9 * 60 + 30 });
    // Winter: UTC+1.
    expect(localTime(Date.UTC(2026, 0, 5, 7, 30), 'Europe/Paris').minutes).toBe(8 * 60 + 30);
    // Sunday evening in New York is already Monday in Tokyo.
    expect(localTime(Date.UTC(2026, 2, 29, 23, 0), 'Asia/Tokyo').weekday).toBe('mon');
  });

  it('is open inside an interval, closed outside, on weekends and on holidays', () => {
    const paris = spec('Europe/Paris', ['2026-12-25']);
    expect(isWithinHours(paris, Date.UTC(2026, 2, 30, 7, 0))).toBe(true); // Mon 09:00 Paris
    expect(isWithinHours(paris, Date.UTC(2026, 2, 30, 6, 59))).toBe(false); // 08:59
    expect(isWithinHours(paris, Date.UTC(2026, 2, 30, 15, 0))).toBe(false); // 17:00, end exclusive
    expect(isWithinHours(paris, Date.UTC(2026, 2, 28, 10, 0))).toBe(false); // Saturday
    expect(isWithinHours(paris, Date.UTC(2026, 11, 25, 10, 0))).toBe(false); // Friday, but Christmas
    expect(isWithinHours({ timeZone: 'UTC', weeklyHours: null, holidays: [] }, Date.UTC(2026, 2, 28, 3, 0))).toBe(true);
  });

  it('a day open until 24:00 has no closed minute before midnight', () => {
    const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]));
    const utc = { timeZone: 'UTC', weeklyHours: allDay as never, holidays: [] };
    expect(isWithinHours(utc, Date.UTC(2026, 11, 6, 23, 59, 30))).toBe(true);
    expect(isWithinHours(utc, Date.UTC(2026, 11, 7, 0, 0, 0))).toBe(true);
  });

  it('refuses unknown time zones', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(/unknown time zone/);
    expect(() => assertTimeZone('America/Sao_Paulo')).not.toThrow();
  });
});
