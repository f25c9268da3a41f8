import { describe, expect, it } from 'vitest';
import { slaDeadline } from './slaClock.js';

const nineToFive = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] } as never;
const paris = (holidays: string[] = []) => ({ timeZone: 'Europe/Paris', weeklyHours: nineToFive, holidays });
const H = 3_600_000;

describe('SLA clock', () => {
  it('counts every minute without business hours', () => {
    const start = Date.UTC(2026, 2, 28, 3, 0); // a Saturday night
    expect(slaDeadline(start, 90, null)).toBe(start + 1.5 * H);
    expect(slaDeadline(start, 90, { timeZone: 'UTC', weeklyHours: null, holidays: [] })).toBe(start + 1.5 * H);
  });

  it('counts only open hours: a Friday 16:30 question with a 2-hour target is due Monday 10:30 (Paris, after the DST change)', () => {
    const fri = Date.UTC(2026, 2, 27, 15, 30); // Fri 16:30 in Paris (UTC+1)
    // 30 minutes on Friday, then 90 minutes from Monday 09:00 (UTC+2 since Sunday).
    expect(slaDeadline(fri, 120, paris())).toBe(Date.UTC(2026, 2, 30, 8, 30));
  });

  it('waits for the opening when started before it, and keeps seconds', () => {
    const early = Date.UTC(2026, 2, 30, 5, 12, 30); // Mon 07:12:30 Paris
    expect(slaDeadline(early, 15, paris())).toBe(Date.UTC(2026, 2, 30, 7, 15));
    const inside = Date.UTC(2026, 2, 30, 7, 10, 30); // Mon 09:10:30
    expect(slaDeadline(inside, 5, paris())).toBe(Date.UTC(2026, 2, 30, 7, 15, 30));
  });

  it('skips holidays and the weekend', () => {
    const thu = Date.UTC(2026, 11, 24, 15, 0); // Thu 24 Dec 16:00 Paris
    // 1 hour Thursday, Christmas Friday is a holiday, weekend closed: 1 more hour Monday 28th 09:00-10:00.
    expect(slaDeadline(thu, 120, paris(['2026-12-25']))).toBe(Date.UTC(2026, 11, 28, 9, 0));
    // Control: without the holiday, Friday 25th counts.
    expect(slaDeadline(thu, 120, paris())).toBe(Date.UTC(2026, 11, 25, 9, 0));
  });

  it('gives null when the team never opens', () => {
    expect(slaDeadline(Date.UTC(2026, 0, 1), 10, { timeZone: 'UTC', weeklyHours: {} as never, holidays: [] })).toBeNull();
  });
});
