/** A deliberately small user-agent parser: enough to say "Chrome 124 on macOS". */
export interface ParsedUA {
  browser: string | null;
  version: string | null;
  os: string | null;
}

const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\bFirefox\/(\d+)/, 'Firefox'],
  [/\bFxiOS\/(\d+)/, 'Firefox'],
  [/\bCriOS\/(\d+)/, 'Chrome'],
  [/(?:\b|Headless)Chrom(?:e|ium)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)(?:\.\d+)*.*Safari\//, 'Safari'],
  [/\bMSIE (\d+)|Trident\/.*rv:(\d+)/, 'Internet Explorer'],
];

const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** "Chrome 124", or null when the browser is not recognised (never the system in its place). */
export function browserLabel(ua: ParsedUA): string | null {
  return ua.browser ? `${ua.browser}${ua.version ? ` ${ua.version}` : ''}` : null;
}

export function parseUserAgent(ua: string | null | undefined): ParsedUA {
  const out: ParsedUA = { browser: null, version: null, os: null };
  if (!ua) return out;
  for (const [re, name] of BROWSERS) {
    const m = re.exec(ua);
    if (m) {
      out.browser = name;
      out.version = m[1] ?? m[2] ?? null;
      break;
    }
  }
  for (const [re, name] of SYSTEMS) {
    if (re.test(ua)) {
      out.os = name;
      break;
    }
  }
  return out;
}
