import { describe, expect, it } from 'vitest';
import { bucketLabel, columnBars, formatDuration, niceMax } from './charts.js';

describe('analytics chart helpers', () => {
  it('rounds axes up to 1, 2 or 5 × 10^n', () => {
    expect([0, 1, 3, 7, 10, 11, 180, 501].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 200, 1000]);
  });
  it('lays out bars proportionally from the bottom', () => {
    const { bars, max } = columnBars([{ label: 'a', value: 5 }, { label: 'b', value: 10 }, { label: 'c', value: 0 }], 300, 100, 0);
    expect(max).toBe(10);
    expect(bars.map((b) => [b.x, b.y, b.width, b.height])).toEqual([[0, 50, 100, 50], [100, 0, 100, 100], [200, 100, 100, 0]]);
  });
  it('formats durations for people', () => {
    expect([null, 45_000, 200_000, 3_900_000, 2 * 86_400_000 + 3 * 3_600_000].map(formatDuration)).toEqual(['—', '45 s', '3 min 20 s', '1 h 05 min', '2 d 3 h']);
    expect(bucketLabel('2024-01-01T14:00:00.000Z', 'hour')).toBe('14:00');
    expect(bucketLabel('2024-01-01T00:00:00.000Z', 'day')).toBe('Mon 1');
    // In the report's zone and the console's language: 23:00 UTC on the 31st is Monday the 1st in Paris.
    expect(bucketLabel('2023-12-31T23:00:00.000Z', 'day', 'Europe/Paris', 'fr-FR')).toBe('lun. 1');
    expect(bucketLabel('2024-01-01T14:00:00.000Z', 'hour', 'Europe/Paris')).toBe('15:00');
  });
});
