import { describe, expect, it } from 'vitest';
import { bucketStart, bucketStarts, resolvePeriod } from './reportQueries.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('report buckets in a time zone', () => {
  it('starts days at local midnight, including daylight-saving days (23 and 25 hours)', () => {
    // 30 March 2025: Paris goes from UTC+1 to UTC+2 at 02:00.
    expect(iso(bucketStart(Date.parse('2025-03-30T12:00:00Z'), 'day', 'Europe/Paris'))).toBe('2025-03-29T23:00:00.000Z');
    expect(iso(bucketStart(Date.parse('2025-03-31T12:00:00Z'), 'day', 'Europe/Paris'))).toBe('2025-03-30T22:00:00.000Z');
    // 23:30 UTC on the 1st is already the 2nd in Paris (UTC+1 in winter).
    expect(iso(bucketStart(Date.parse('2025-01-01T23:30:00Z'), 'day', 'Europe/Paris'))).toBe('2025-01-01T23:00:00.000Z');
    expect(iso(bucketStart(Date.parse('2025-01-01T23:30:00Z'), 'day', 'UTC'))).toBe('2025-01-01T00:00:00.000Z');
    // Half-hour zones: hours start at :30 UTC.
    expect(iso(bucketStart(Date.parse('2025-01-01T10:10:00Z'), 'hour', 'Asia/Kolkata'))).toBe('2025-01-01T09:30:00.000Z');
  });

  it('lists every local day of the period once, across a daylight-saving change', () => {
    const period = resolvePeriod({ from: '2025-03-28T00:00:00Z', to: '2025-04-01T00:00:00Z', bucket: 'day', timeZone: 'Europe/Paris' });
    expect(bucketStarts(period).map(iso)).toEqual(['2025-03-27T23:00:00.000Z', '2025-03-28T23:00:00.000Z', '2025-03-29T23:00:00.000Z', '2025-03-30T22:00:00.000Z', '2025-03-31T22:00:00.000Z']);
  });

  it('refuses an unknown zone with a clear error', () => {
    expect(() => resolvePeriod({ timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone/);
  });
});
