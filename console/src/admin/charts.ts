/** Pure helpers for the analytics view: chart geometry and human durations (unit-tested). */

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
  label: string;
}

/** A "nice" axis maximum: 1, 2 or 5 × 10^n at or above the largest value (at least 1). */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * pow >= max) return m * pow;
  return 10 * pow;
}

/** Vertical bars filling `width` × `height`, with `gap` between them. */
export function columnBars(values: Array<{ label: string; value: number }>, width: number, height: number, gap = 2): { bars: Bar[]; max: number } {
  const max = niceMax(Math.max(0, ...values.map((v) => v.value)));
  const n = Math.max(values.length, 1);
  const slot = width / n;
  const bw = Math.max(1, slot - gap);
  return {
    max,
    bars: values.map((v, i) => {
      const h = (v.value / max) * height;
      return { x: i * slot + gap / 2, y: height - h, width: bw, height: h, value: v.value, label: v.label };
    }),
  };
}

/** 45 s, 3 min 20 s, 1 h 05 min, 2 d 3 h; an em dash for no value. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Label of a volume bucket: "14:00" for hours, "Mon 3" for days (UTC, like the report). */
/** An axis label in the report's zone and the console's language: "14:00", "Mon 1" / "lun. 1". */
export function bucketLabel(iso: string, bucket: 'hour' | 'day', timeZone = 'UTC', locale = 'en-GB'): string {
  const opts: Intl.DateTimeFormatOptions = bucket === 'hour' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone } : { weekday: 'short', day: 'numeric', timeZone };
  return new Intl.DateTimeFormat(locale, opts).format(new Date(iso));
}
