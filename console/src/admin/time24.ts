/**
 * Business hours are typed as 24-hour times ("09:00", "17:30") in every language and browser: the
 * native time input shows 12-hour AM/PM under English locales. Lenient input, strict output. A
 * closing time may be "24:00", the end of the day, so a day can be open until midnight with no gap
 * (with "23:59" the last minute of every day would be closed).
 */
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const isTime24 = (v: string, closing = false): boolean => HHMM.test(v) || (closing && v === '24:00');

/** "9" → "09:00", "930" → "09:30", "9h30"/"9.30"/"9:30" → "09:30", "9:75"/"x" → null; "24:00" only as a closing time. */
export function normalizeTime24(raw: string, closing = false): string | null {
  const m = /^\s*(\d{1,2})(?:\s*[:h.]?\s*(\d{2}))?\s*$/i.exec(raw);
  if (!m) return null;
  const out = `${m[1]!.padStart(2, '0')}:${m[2] ?? '00'}`;
  return isTime24(out, closing) ? out : null;
}
