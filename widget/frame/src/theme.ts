/** Brand colour handling: only a hex colour is accepted; text on it is black or white, whichever reads better. */
const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
export const DEFAULT_BRAND = '#2563eb';

export function safeColor(value: unknown): string {
  return typeof value === 'string' && HEX.test(value.trim()) ? value.trim() : DEFAULT_BRAND;
}

function channels(hex: string): [number, number, number] {
  let h = hex.slice(1);
  if (h.length === 3) h = h.replace(/./g, (c) => c + c);
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255) as [number, number, number];
}

function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** '#ffffff' or '#111827', whichever contrasts more with the brand colour. */
export function textOn(hex: string): string {
  const l = luminance(hex);
  const white = 1.05 / (l + 0.05);
  const dark = (l + 0.05) / (luminance('#111827') + 0.05);
  return white >= dark ? '#ffffff' : '#111827';
}

export function applyBrand(color: string): void {
  const root = document.documentElement.style;
  root.setProperty('--brand', color);
  root.setProperty('--brand-fg', textOn(color));
}
