import { describe, expect, it } from 'vitest';
import { isTime24, normalizeTime24 } from './time24.js';

describe('24-hour business hours', () => {
  it.each([
    ['9', '09:00'],
    ['09:00', '09:00'],
    ['930', '09:30'],
    ['9h30', '09:30'],
    ['17.45', '17:45'],
    ['23:59', '23:59'],
    ['0', '00:00'],
    ['24:00', null],
    ['9:75', null],
    ['5 PM', null],
    ['', null],
  ])('%s → %s', (raw, out) => expect(normalizeTime24(raw)).toBe(out));
  it('takes 24:00 as a closing time only, the end of the day', () => {
    expect(normalizeTime24('24', true)).toBe('24:00');
    expect(normalizeTime24('24:00', true)).toBe('24:00');
    expect(normalizeTime24('24:30', true)).toBeNull();
    expect(isTime24('24:00', true)).toBe(true);
    expect(isTime24('24:00')).toBe(false);
  });
  it('accepts only HH:MM', () => {
    expect(isTime24('09:00')).toBe(true);
    expect(isTime24('9:00')).toBe(false);
  });
});
