/**
 * Business hours are typed as 24-hour times ("09:00", "17:30") in every language and browser: the
 * native time input shows 12-hour AM/PM under English locales. Lenient input, strict output.
 */
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const isTime24 = (v: string): boolean => HHMM.test(v);

/** "9" → "09:00", "930" → "09:30", "9h30"/"9.30"/"9:30" → "09:30", "24:00"/"9:75"/"x" → null. */
export function normalizeTime24(raw: string): string | null {
  const m = /^\s*(\d{1,2})(?:\s*[:h.]?\s*(\d{2}))?\s*$/i.exec(raw);
  if (!m) return null;
  const out = `${m[1]!.padStart(2, '0')}:${m[2] ?? '00'}`;
  return isTime24(out) ? out : null;
}
