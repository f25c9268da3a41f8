/**
 * Browser-test harness: runs the built server (`node dist/server/main.js`) as a real process on free
 * ports with its own data directory, and launches Debian's Chromium through playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type FrameLocator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../server/testing/freePort.js';

export const ROOT = join(import.meta.dirname, '..');
export const SHOTS = join(ROOT, 'e2e', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

export interface RunningServer {
  proc: ChildProcess;
  url: string;
  demoUrl: string;
  output: () => string;
  /** Present on the first start of an empty data directory. */
  admin: { email: string; password: string } | null;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startServer(opts: { dataDir: string; port: number; demoPort: number; env?: Record<string, string> }): Promise<RunningServer> {
  const proc = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(opts.port), DEMO_PORT: String(opts.demoPort), DATA_DIR: opts.dataDir, LOG_LEVEL: 'warn', DEMO_CONTENT: '0' /* each test sets up what it needs */, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 20 s:\n' + out)), 20_000);
    const check = () => {
      if (out.includes('Parley is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  // Let the banner finish printing.
  await new Promise((r) => setTimeout(r, 100));
  const email = /email:\s+(\S+)/.exec(out)?.[1];
  const password = /password:\s+(\S+)/.exec(out)?.[1];
  return {
    proc,
    url: `http://localhost:${opts.port}`,
    demoUrl: `http://localhost:${opts.demoPort}/demo`,
    output: () => out,
    admin: email && password ? { email, password } : null,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/**
 * `popupBlocker`: keep Chromium's popup blocker on (Playwright turns it off by default with
 * --disable-popup-blocking): for tests where it is the defence (a window.open without the user's activation).
 */
export async function launchChromium(extraArgs: string[] = [], opts: { popupBlocker?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    ...(opts.popupBlocker ? { ignoreDefaultArgs: ['--disable-popup-blocking'] } : {}),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}

/**
 * Opens the chat as a shopper does: a real (trusted) click on the loader's own launcher, which sits
 * in a closed shadow root inside <parley-chat>. The chat frame exists only from then on.
 */
export async function openChat(page: Page): Promise<FrameLocator> {
  await page.locator('parley-chat').click();
  return page.frameLocator('iframe[title="Chat"]');
}

/** The admin over HTTP, for setting things up the way an admin tool would. */
export async function adminApi(url: string, email: string, password: string) {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`login ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const session = (await res.json()) as { csrfToken: string; agent: { id: string } };
  const call = async (method: string, path: string, body?: object) => {
    const r = await fetch(url + path, { method, headers: { cookie, 'x-csrf-token': session.csrfToken, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? null : r.json();
  };
  return { agentId: session.agent.id, post: (path: string, body: object) => call('POST', path, body), patch: (path: string, body: object) => call('PATCH', path, body), get: (path: string) => call('GET', path) };
}

/** A new agent of the admin's tenant, made the way a person would: invited, then accepting. */
export async function addAgent(url: string, admin: Awaited<ReturnType<typeof adminApi>>, who: { email: string; name: string; password: string; role?: 'agent' | 'supervisor' | 'admin' }): Promise<void> {
  const { token } = (await admin.post('/api/admin/invitations', { email: who.email, role: who.role ?? 'agent' })) as { token: string };
  const r = await fetch(`${url}/api/invitations/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, name: who.name, password: who.password }) });
  if (r.status !== 201) throw new Error(`accept: ${r.status} ${await r.text()}`);
}

/** Signs a console page in (the login form, as an agent would). */
export async function consoleSignIn(page: import('playwright-core').Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(url + '/console/');
  await page.locator('input[type=email]').fill(email);
  await page.locator('input[type=password]').fill(password);
  await page.locator('form.login-card button[type=submit]').click();
  await page.locator('.topbar').waitFor({ timeout: 10_000 });
}

/**
 * One server (own data directory, free ports) and one Chromium for a test file: registers the
 * beforeAll/afterAll pair and hands both to `use` once they run.
 */
export function serverAndChromium(prefix: string, use: (server: RunningServer, browser: Browser) => void): void {
  let dataDir: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), prefix));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort() });
    browser = await launchChromium();
    use(server, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  view: string;
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core in the page (or frame): critical and serious violations only. */
export async function axe(target: Page | Frame, view: string): Promise<AxeFinding[]> {
  await target.evaluate(AXE);
  const result = (await target.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[]; failureSummary: string }> }> }> } };
    return w.axe.run(document, { resultTypes: ['violations'] });
  })) as { violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[]; failureSummary: string }> }> };
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => ({ view, id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n')[1]?.trim() ?? ''}`) }));
}
