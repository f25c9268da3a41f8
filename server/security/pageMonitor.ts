/**
 * PCI DSS v4.0 11.6.1 for a merchant's payment page, as far as Parley's script goes: load the page
 * in Chromium (playwright-core, Debian's /usr/bin/chromium), and check that
 *   - the Parley loader is there, from the URL the release log's current release serves, with the
 *     `integrity` attribute equal to the SRI hash the log lists, and the bytes the browser got match;
 *   - the page's scripts and security-relevant response headers are the ones recorded on the first
 *     run (the baseline, kept in a state file): a script added or removed, or a changed
 *     Content-Security-Policy, is a change to an authorised payment page script or header.
 * `parley monitor` runs it from the command line; the node runs it every PAGE_MONITOR_MS for the
 * pages in PAGE_MONITOR and raises a `page.changed` incident for the tenant on any finding.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sri384 } from './release.js';

export const WATCHED_HEADERS = ['content-security-policy', 'content-security-policy-report-only', 'x-frame-options', 'permissions-policy', 'referrer-policy', 'strict-transport-security'];

export interface PageSnapshot {
  url: string;
  status: number;
  headers: Record<string, string | null>;
  scripts: Array<{ src: string | null; integrity: string | null; inlineSha384: string | null }>;
  /** Script responses the page received, with the SRI of their bytes. */
  loaded: Array<{ url: string; sri: string }>;
}

export interface Expected {
  loaderUrl: string;
  integrity: string;
}

export interface PageFinding {
  problem: 'loader_missing' | 'loader_integrity' | 'loader_bytes' | 'script_added' | 'script_removed' | 'header_changed' | 'page_unreachable';
  detail: string;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Loads `url` in Chromium and records its scripts and headers. */
export async function inspectPage(url: string, opts: { executablePath?: string; timeoutMs?: number } = {}): Promise<PageSnapshot> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new Error('the page monitor needs playwright-core (npm install playwright-core) and Chromium');
  }
  const browser = await chromium.launch({ executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const loaded: PageSnapshot['loaded'] = [];
    const reading: Array<Promise<void>> = [];
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'script') return;
      reading.push(res.body().then((b) => void loaded.push({ url: res.url(), sri: sri384(b) }), () => undefined));
    });
    const res = await page.goto(url, { waitUntil: 'load', timeout: opts.timeoutMs ?? 30_000 });
    const headers = res ? await res.allHeaders() : {};
    const scripts = await page.$$eval('script', (els) =>
      els.map((s) => ({ src: s.getAttribute('src') ? (s as HTMLScriptElement).src : null, integrity: s.getAttribute('integrity'), text: s.getAttribute('src') ? null : s.textContent ?? '' })),
    );
    await Promise.all(reading);
    return {
      url,
      status: res?.status() ?? 0,
      headers: Object.fromEntries(WATCHED_HEADERS.map((h) => [h, headers[h] ?? null])),
      scripts: scripts.map((s) => ({ src: s.src, integrity: s.integrity, inlineSha384: s.text === null ? null : sri384(s.text) })),
      loaded,
    };
  } finally {
    await browser.close();
  }
}

const scriptKey = (s: PageSnapshot['scripts'][number]) => s.src ?? `inline ${s.inlineSha384}`;

/** What differs from the log (the loader) and from the baseline (scripts and headers). */
export function comparePage(snapshot: PageSnapshot, expected: Expected, baseline: PageSnapshot | null): PageFinding[] {
  const findings: PageFinding[] = [];
  if (snapshot.status < 200 || snapshot.status >= 400) findings.push({ problem: 'page_unreachable', detail: `the page answered ${snapshot.status}` });
  const loaders = snapshot.scripts.filter((s) => s.src && /\/widget\/v\/[0-9a-f]{16}\/loader\.js$/.test(new URL(s.src).pathname));
  if (loaders.length === 0) findings.push({ problem: 'loader_missing', detail: 'no Parley loader script on the page' });
  for (const l of loaders) {
    if (l.src !== expected.loaderUrl) findings.push({ problem: 'loader_integrity', detail: `the page loads ${l.src}, the log's current release is served at ${expected.loaderUrl}` });
    if (l.integrity !== expected.integrity) findings.push({ problem: 'loader_integrity', detail: `integrity attribute ${l.integrity ?? '(none)'} is not the log's ${expected.integrity}` });
    const got = snapshot.loaded.find((x) => x.url === l.src);
    if (got && got.sri !== expected.integrity) findings.push({ problem: 'loader_bytes', detail: `the browser received ${got.sri}, the log says ${expected.integrity}` });
  }
  if (baseline) {
    const before = new Set(baseline.scripts.map(scriptKey));
    const now = new Set(snapshot.scripts.map(scriptKey));
    for (const k of now) if (!before.has(k)) findings.push({ problem: 'script_added', detail: `a script not in the baseline: ${k}` });
    for (const k of before) if (!now.has(k)) findings.push({ problem: 'script_removed', detail: `a baseline script is gone: ${k}` });
    for (const h of WATCHED_HEADERS) {
      if ((baseline.headers[h] ?? null) !== (snapshot.headers[h] ?? null)) findings.push({ problem: 'header_changed', detail: `${h}: ${JSON.stringify(baseline.headers[h] ?? null)} → ${JSON.stringify(snapshot.headers[h] ?? null)}` });
    }
  }
  return findings;
}

/** The baseline of a page: recorded on the first run, kept while the page is unchanged, replaced only with `accept`. */
export function readBaseline(file: string): PageSnapshot | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PageSnapshot) : null;
}

export function writeBaseline(file: string, snapshot: PageSnapshot): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file + '.tmp', JSON.stringify(snapshot, null, 2) + '\n');
  renameSync(file + '.tmp', file);
}

/** One monitoring pass: inspect, compare, record the baseline on the first run (or when accepted). */
export async function monitorPage(opts: { page: string; expected: Expected; baselineFile: string; accept?: boolean; executablePath?: string }): Promise<{ findings: PageFinding[]; snapshot: PageSnapshot; baselineCreated: boolean }> {
  const snapshot = await inspectPage(opts.page, { executablePath: opts.executablePath });
  const baseline = opts.accept ? null : readBaseline(opts.baselineFile);
  const findings = comparePage(snapshot, opts.expected, baseline);
  const baselineCreated = !baseline && findings.length === 0;
  if (baselineCreated) writeBaseline(opts.baselineFile, snapshot);
  return { findings, snapshot, baselineCreated };
}
