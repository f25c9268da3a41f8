/**
 * Frame containment, red-team pass: a hostile, validly signed frame (e2e/hostile.ts
 * redTeamPayload) against the demo checkout in Chromium. Each attack is measured with the defence and,
 * where the defence is the loader's, in a control run on the same node with a test-only loader variant
 * lacking that one defence, which does leak (so each test is known able to fail).
 *  - downloads and new tabs without the shopper's click (no allow-downloads; the loader opens only
 *    Parley's attachment route, only on the shopper's activation inside the open frame);
 *  - a transparent full-screen frame on a phone (the iframe's opaque background);
 *  - the page's path and query in the frame's referrer (referrerpolicy="origin");
 *  - probes: history, clipboard, opener and sibling frames, scrolling, printing, drag and drop.
 * And the honest side: a shopper clicking a document the agent sent gets the download.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { consoleSignIn, launchChromium, openChat, SHOTS, startServer, type RunningServer } from './harness.js';
import { hostileNodeAndChromium, loaderVariant as variant, pointAtControlLoader, redTeamPayload, serveControlLoader, type Attacker, type LoaderEdit } from './hostile.js';

const WITH_DOWNLOADS: LoaderEdit = ["var SANDBOX = 'allow-scripts allow-same-origin allow-forms';", "var SANDBOX = 'allow-scripts allow-same-origin allow-forms allow-downloads';"];
const NO_LAUNCHER_WAIT: LoaderEdit = [' && Date.now() - open > 1e4', ''];
const NO_BACKGROUND: LoaderEdit = ["'all:initial;background:#fff;", "'all:initial;"];
const NO_REFERRER_POLICY: LoaderEdit = ["frame.referrerPolicy = 'origin';", ''];
const NO_SANDBOX: LoaderEdit = ['frame.sandbox = SANDBOX;', ''];

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** The admin, as an agent of the demo tenant: uploads a file into the latest conversation. */
async function agentSends(server: RunningServer, name: string, bytes: Buffer): Promise<string> {
  const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(server.admin) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { cookie, 'x-csrf-token': csrfToken };
  const list = (await (await fetch(`${server.url}/api/conversations?view=all`, { headers })).json()) as { items: Array<{ id: string }> };
  const res = await fetch(`${server.url}/api/attachments?conversationId=${list.items[0]!.id}&name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (res.status !== 201) throw new Error(`upload ${res.status} ${await res.text()}`);
  return ((await res.json()) as { attachment: { url: string } }).attachment.url;
}

/** An agent online (the console open), so the shopper gets the live chat and not the offline form. */
async function agentOnline(browser: Browser, server: RunningServer): Promise<BrowserContext> {
  const context = await browser.newContext();
  await consoleSignIn(await context.newPage(), server.url, server.admin!.email, server.admin!.password);
  return context;
}

/** The shopper starts a conversation in the open chat (whatever pre-chat fields there are, one message). */
async function startConversation(page: Page): Promise<void> {
  const frame = page.frameLocator('iframe[title="Chat"]');
  const start = frame.getByRole('button', { name: 'Start chat' });
  await start.waitFor({ timeout: 15_000 });
  for (const [id, value] of [['#pc-name', 'Ada Shopper'], ['#pc-email', 'ada@example.com'], ['#pc-phone', '+33 1 23 45 67 89']] as const)
    if (await frame.locator(id).count()) await frame.locator(id).fill(value);
  await start.click();
  const composer = frame.locator('#parley-message');
  await composer.fill('Could you send me the invoice?');
  await composer.press('Enter');
  await expect.poll(() => frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('send me the invoice');
}

/** Share of the pixels of a PNG that are not (near) white, decoded by Chromium in a blank page. */
async function nonWhite(browser: Browser, png: Buffer): Promise<number> {
  const p = await browser.newPage();
  const share = await p.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! < 235 || d[i + 1]! < 235 || d[i + 2]! < 235) n++;
    return n / (d.length / 4);
  }, png.toString('base64'));
  await p.close();
  return share;
}

describe('a hostile, validly signed frame: downloads, see-through, referrer and other ways out', () => {
  let browser: Browser;
  let attacker: Attacker;
  let server: RunningServer;
  // With the popup blocker on, as for a shopper: it is what needs the shopper's activation.
  hostileNodeAndChromium({ payload: redTeamPayload, dataDirPrefix: 'parley-containment-more-', popupBlocker: true }, (node) => ({ browser, attacker, server } = node));

  interface Visit {
    page: Page;
    context: BrowserContext;
    logs: string[];
    /** Top-level navigations of pages other than the shop's (new tabs), by URL. */
    tabs: string[];
    downloads: string[];
    frameReferers: string[];
    close: () => Promise<void>;
  }

  /** Opens the demo checkout (optionally with a query, a looser host policy, a control loader). */
  async function visit(opts: { loader?: string; noCsp?: boolean; viewport?: { width: number; height: number }; query?: string; hostReferrerPolicy?: string; from?: 'home' | 'opener'; permissions?: string[] } = {}): Promise<Visit> {
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1366, height: 800 }, acceptDownloads: true });
    if (opts.permissions) await context.grantPermissions(opts.permissions, { origin: new URL(server.demoUrl).origin });
    const logs: string[] = [];
    const tabs: string[] = [];
    const downloads: string[] = [];
    const frameReferers: string[] = [];
    let shop: Page | null = null;
    const watch = (p: Page) => {
      p.on('console', (m) => (m.text().startsWith('PARLEY-ATTACK') || /sandbox|Blocked|blocked/.test(m.text())) && logs.push(m.text()));
      p.on('download', (d) => downloads.push(d.url()));
    };
    context.on('page', (p) => watch(p));
    context.on('request', (r) => {
      if (r.url().includes('/widget/frame/?')) void r.headerValue('referer').then((v) => frameReferers.push(String(v)));
      if (!r.isNavigationRequest() || !shop || r.url() === 'about:blank') return;
      let topLevel = true;
      let ours = false;
      try {
        topLevel = !r.frame().parentFrame();
        ours = r.frame().page() === shop;
      } catch {
        // A new window's first navigation: issued before its frame exists.
      }
      if (topLevel && !ours) tabs.push(r.url());
    });
    if (opts.loader || opts.noCsp || opts.hostReferrerPolicy) {
      await context.route((u) => u.pathname === '/demo/checkout', async (route) => {
        const res = await route.fetch();
        let html = await res.text();
        const headers = res.headers();
        if (opts.loader) html = pointAtControlLoader(html, headers, server.url);
        // The shop's CSP (frame-src) also stops the frame navigating itself to the attacker: dropped
        // where the leak is counted at the attacker, with and without the defence alike.
        if (opts.noCsp) delete headers['content-security-policy'];
        if (opts.hostReferrerPolicy) headers['referrer-policy'] = opts.hostReferrerPolicy;
        await route.fulfill({ response: res, body: html, headers });
      });
    }
    if (opts.loader) await serveControlLoader(context, server.url, opts.loader);
    const target = server.demoUrl + '/checkout' + (opts.query ?? '');
    let page: Page;
    if (opts.from) {
      const home = await context.newPage();
      await home.goto(server.demoUrl);
      if (opts.from === 'home') {
        page = home;
        await page.goto(target);
      } else {
        // The checkout opened by another page of the shop, which it can reach as window.opener.
        [page] = await Promise.all([context.waitForEvent('page'), home.evaluate((u) => void window.open(u), target)]);
        await page.waitForLoadState();
      }
    } else {
      page = await context.newPage();
      await page.goto(target);
    }
    shop = page;
    await page.locator('parley-chat').waitFor({ state: 'attached' });
    return { page, context, logs, tabs, downloads, frameReferers, close: () => context.close() };
  }

  const frameLoaded = (v: Visit) => expect.poll(() => v.logs.includes('PARLEY-ATTACK LOADED'), { timeout: 15_000 }).toBe(true);
  /**
   * The page names the attack to start (as page context, which the loader passes to the frame). Through
   * CDP without a user gesture: page.evaluate runs with one, a transient activation no shopper gave.
   */
  const attack = async (v: Visit, mode: string) => {
    const cdp = await v.context.newCDPSession(v.page);
    await cdp.send('Runtime.evaluate', { expression: `window.Parley.push(['page', 'redteam', { mode: ${JSON.stringify(mode)} }])`, userGesture: false });
    await cdp.detach();
  };
  const logs = (v: Visit, what: string) => v.logs.filter((l) => l.startsWith(`PARLEY-ATTACK ${what} `)).join(' | ');
  const modeOn = (v: Visit, mode: string) => expect.poll(() => v.logs.includes(`PARLEY-ATTACK MODE ${mode}`), { timeout: 10_000 }).toBe(true);

  /** A real mouse click inside the chat window, on its header (no link there). */
  async function clickInside(page: Page): Promise<void> {
    const r = (await page.locator('iframe[title="Chat"]').boundingBox())!;
    await page.mouse.click(r.x + r.width / 2, r.y + 30);
  }

  async function quietAttacker(): Promise<void> {
    await new Promise((r) => setTimeout(r, 1000));
    attacker.hits.length = 0;
  }

  it('files: no download and no tab without the shopper\'s click in the frame; after one, only a Parley attachment (control: allow-downloads drops files, no launcher wait opens one)', async () => {
    const agent = await agentOnline(browser, server);
    const v = await visit();
    await openChat(v.page);
    await frameLoaded(v);
    await startConversation(v.page);
    const file = await agentSends(server, 'invoice.pdf', PDF);
    await expect.poll(() => v.page.frameLocator('iframe[title="Chat"]').locator('a.file-link').count(), { timeout: 10_000 }).toBe(1);
    // The shopper's activation from opening the chat is spent by now; reopen to get a fresh one, and
    // start the flood at once: its first seconds fall inside the launcher click's activation.
    await v.page.locator('#name').click(); // back to the page: the chat closes (and its frame goes)
    // Where the shopper will click, measured now: Playwright's own locator calls run script with a user
    // gesture (a transient activation for the page no shopper gave), so none is made while the frame floods.
    const heading = (await v.page.locator('h1').first().boundingBox())!;
    v.logs.length = 0;
    await openChat(v.page);
    await frameLoaded(v);
    const inside = (await v.page.locator('iframe[title="Chat"]').boundingBox())!;
    await attack(v, 'files');
    await modeOn(v, 'files');
    await v.page.waitForTimeout(12_000);
    const asked = v.logs.filter((l) => l.startsWith('PARLEY-ATTACK FILES asked')).length;
    console.log('files, no click:', { asked, downloads: v.downloads, tabs: v.tabs, pages: v.context.pages().length });
    expect(asked).toBeGreaterThan(2);
    expect(v.downloads).toEqual([]);
    expect(v.tabs).toEqual([]);
    expect(v.context.pages()).toHaveLength(1);
    // A click on a part of the page that takes no focus (a heading) is still going back to the page:
    // the chat closes, so that activation (the page's) is never the frame's to use.
    await v.page.mouse.click(heading.x + 5, heading.y + heading.height / 2);
    await v.page.waitForTimeout(1500);
    expect(v.tabs).toEqual([]);
    expect(await v.page.locator('iframe[title="Chat"]').count()).toBe(0);
    await openChat(v.page);
    await frameLoaded(v);
    await attack(v, 'files');
    await v.page.waitForTimeout(12_000);
    expect(v.tabs).toEqual([]);
    // One click inside the frame (on its header): at most one tab, Parley's attachment route only.
    await v.page.mouse.click(inside.x + inside.width / 2, inside.y + 30);
    await v.page.waitForTimeout(3000);
    console.log('files, one click:', { downloads: v.downloads, tabs: v.tabs });
    expect(v.tabs.length).toBeLessThanOrEqual(1);
    for (const u of [...v.tabs, ...v.downloads]) expect(u).toMatch(new RegExp(`^${server.url}/files/att_[A-Za-z0-9]+/[\\w-]+$`));
    expect(v.tabs.length + v.downloads.length).toBeGreaterThan(0); // the one click did let it through, once
    expect(v.page.url()).toBe(server.demoUrl + '/checkout');
    expect(file).toMatch(/^\/files\//);
    await v.close();
    await agent.close();

    // Control: the sandbox with allow-downloads, as before: files dropped with no click at all.
    const control = await visit({ loader: variant(WITH_DOWNLOADS) });
    await openChat(control.page);
    await frameLoaded(control);
    await attack(control, 'files');
    await expect.poll(() => control.downloads.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await control.page.waitForTimeout(5000);
    console.log('files control (allow-downloads), in about 5 s:', control.downloads.length, control.downloads.slice(0, 3));
    await control.close();

    // Control: no wait after the launcher's click: its activation (the page's) opens a tab the
    // shopper never asked for.
    const eager = await visit({ loader: variant(NO_LAUNCHER_WAIT) });
    await openChat(eager.page);
    await frameLoaded(eager);
    await attack(eager, 'files');
    await expect.poll(() => eager.tabs.length, { timeout: 10_000 }).toBeGreaterThan(0);
    console.log('files control (no launcher wait):', eager.tabs);
    await eager.close();
  }, 150_000);

  it('transparent frame on a phone: the open frame shows white, not the checkout under it (control: no background)', async () => {
    const phone = { width: 390, height: 844 };
    const shot = async (v: Visit) => {
      await openChat(v.page);
      await frameLoaded(v);
      await attack(v, 'transparent');
      await expect.poll(() => v.logs.includes('PARLEY-ATTACK TRANSPARENT done'), { timeout: 10_000 }).toBe(true);
      await v.page.waitForTimeout(500);
      const box = (await v.page.locator('iframe[title="Chat"]').boundingBox())!;
      expect(Math.round(box.width)).toBe(390);
      return v.page.screenshot({ clip: box });
    };
    const v = await visit({ viewport: phone });
    const png = await shot(v);
    const colorScheme = await v.page.locator('iframe[title="Chat"]').evaluate((f) => getComputedStyle(f).colorScheme);
    const share = await nonWhite(browser, png);
    console.log('transparent, defended:', { share, colorScheme });
    await v.page.screenshot({ path: join(SHOTS, 'containment-transparent-frame.png') });
    expect(share).toBeLessThan(0.001);
    expect(colorScheme).toBe('normal');
    await v.close();

    const control = await visit({ viewport: phone, loader: variant(NO_BACKGROUND) });
    const leaked = await nonWhite(browser, await shot(control));
    console.log('transparent, control:', leaked);
    expect(leaked).toBeGreaterThan(0.01);
    await control.close();
  }, 90_000);

  it('referrer: the frame sees the page\'s origin only, not its path or query, even where the shop sends full URLs (control: no referrerpolicy)', async () => {
    const query = '?order=SECRET-ORDER-4711&token=SECRETTOKEN';
    const run = async (loader?: string) => {
      await quietAttacker();
      const v = await visit({ query, noCsp: true, hostReferrerPolicy: 'unsafe-url', loader });
      await openChat(v.page);
      await frameLoaded(v);
      await attack(v, 'referrer');
      await expect.poll(() => attacker.hits.filter((h) => h.url.startsWith('/referrer')).length, { timeout: 10_000 }).toBeGreaterThan(0);
      const seen = [...v.logs, ...v.frameReferers, ...attacker.hits.map((h) => decodeURIComponent(h.url))];
      const out = { secrets: seen.filter((s) => s.includes('SECRET')).length, referrer: v.logs.find((l) => l.startsWith('PARLEY-ATTACK REFERRER')), frameReferers: v.frameReferers, hits: attacker.hits.map((h) => decodeURIComponent(h.url)) };
      await v.close();
      return out;
    };
    const defended = await run();
    console.log('referrer, defended:', defended);
    expect(defended.secrets).toBe(0);
    expect(defended.referrer).toBe(`PARLEY-ATTACK REFERRER ${new URL(server.demoUrl).origin}/`);
    expect(defended.frameReferers).toEqual([`${new URL(server.demoUrl).origin}/`]);

    const control = await run(variant(NO_REFERRER_POLICY));
    console.log('referrer, control:', control);
    expect(control.secrets).toBeGreaterThan(0);
    await quietAttacker();
  }, 90_000);

  it('permissions: a loader altered to grant the frame camera, microphone, clipboard, full screen... grants nothing: the server\'s header denies them', async () => {
    const POWERFUL = ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'display-capture', 'fullscreen', 'clipboard-read', 'clipboard-write', 'storage-access', 'browsing-topics', 'picture-in-picture', 'sync-xhr', 'serial', 'hid', 'bluetooth', 'midi', 'screen-wake-lock', 'web-share', 'publickey-credentials-get', 'identity-credentials-get', 'otp-credentials', 'local-fonts', 'window-management', 'autoplay', 'encrypted-media'];
    const features = async (loader?: string) => {
      const v = await visit({ loader });
      await openChat(v.page);
      await frameLoaded(v);
      const line = v.logs.find((l) => l.startsWith('PARLEY-ATTACK FEATURES ')) ?? '';
      await v.close();
      return line.replace('PARLEY-ATTACK FEATURES ', '').split(' ');
    };
    const honest = await features();
    const altered = await features(variant(['frame.allow = DENY;', `frame.allow = ${JSON.stringify(POWERFUL.map((f) => `${f} *`).join('; '))};`]));
    console.log('permissions: allowed in the frame', { honest, altered });
    for (const f of POWERFUL) {
      expect(honest).not.toContain(f);
      expect(altered).not.toContain(f);
    }
  }, 60_000);

  it('history: back() from the frame does not take the page back; a pushState flood after a click fills the tab\'s history (measured, not stopped)', async () => {
    const entries = async (v: Visit) => {
      const cdp = await v.context.newCDPSession(v.page);
      const h = (await cdp.send('Page.getNavigationHistory')) as { currentIndex: number; entries: Array<{ url: string }> };
      await cdp.detach();
      return { count: h.entries.length, current: h.currentIndex, first: h.entries[0]?.url, last: h.entries.at(-1)?.url };
    };
    // history.back() from the frame, whose entry before is the page's own (the shop's home).
    const b = await visit({ from: 'home' });
    await openChat(b.page);
    await frameLoaded(b);
    await attack(b, 'back');
    await modeOn(b, 'back');
    await clickInside(b.page);
    await b.page.waitForTimeout(2500);
    console.log('history.back() from the frame:', { url: b.page.url(), logs: b.logs.filter((l) => l.includes('HISTORY') || /sandbox/i.test(l)) });
    const backUrl = b.page.url();
    await b.close();
    // Control: without the sandbox, the same back() takes the page back to the shop's home.
    const nb = await visit({ from: 'home', loader: variant(NO_SANDBOX) });
    await openChat(nb.page);
    await frameLoaded(nb);
    await attack(nb, 'back');
    await modeOn(nb, 'back');
    await clickInside(nb.page);
    await expect.poll(() => nb.page.url(), { timeout: 10_000 }).toBe(server.demoUrl);
    await nb.close();

    const v = await visit({ from: 'home' });
    const before = await entries(v);
    await openChat(v.page);
    await frameLoaded(v);
    await attack(v, 'history');
    await modeOn(v, 'history');
    await clickInside(v.page);
    await v.page.waitForTimeout(3000);
    const url = v.page.url();
    const flooded = await entries(v);
    // The shopper goes back to the page (the chat closes, its frame goes), then presses Back.
    await v.page.locator('#name').click();
    await expect.poll(() => v.page.locator('iframe[title="Chat"]').count()).toBe(0);
    const closed = await entries(v);
    let backs = 0;
    while (v.page.url() === server.demoUrl + '/checkout' && backs < 60) {
      backs++;
      await v.page.goBack({ timeout: 1000 }).catch(() => null);
    }
    console.log('history flood:', { url, before, flooded, closed, backs, after: v.page.url(), logs: v.logs.filter((l) => l.includes('HISTORY') && !l.includes('push ok')) });
    expect(backUrl).toBe(server.demoUrl + '/checkout');
    expect(url).toBe(server.demoUrl + '/checkout');
    await v.close();
  }, 150_000);

  it('misc: clipboard, opener, other frames, scrolling, printing, dialogs, drag and drop', async () => {
    const v = await visit({ from: 'opener', noCsp: true, viewport: { width: 1366, height: 500 }, permissions: ['clipboard-read', 'clipboard-write'] });
    await quietAttacker();
    await v.page.evaluate(() => navigator.clipboard.writeText('SHOPPER-COPIED-IBAN'));
    await v.page.evaluate(() => {
      const f = document.createElement('iframe');
      f.name = 'host-sibling';
      document.body.appendChild(f);
      window.scrollTo(0, 150);
    });
    const scrollBefore = await v.page.evaluate(() => window.scrollY);
    await openChat(v.page);
    await frameLoaded(v);
    await attack(v, 'misc');
    await modeOn(v, 'misc');
    await clickInside(v.page);
    await v.page.waitForTimeout(2500);
    const clipboard = await v.page.evaluate(() => navigator.clipboard.readText()).catch((e: Error) => 'unreadable: ' + e.message);
    const scrollAfter = await v.page.evaluate(() => window.scrollY);
    const opener = v.context.pages()[0]!.url();
    const viewport = await v.page.evaluate(() => ({ width: innerWidth, height: innerHeight }));
    console.log('misc:', { clipboard, scrollBefore, scrollAfter, opener, hits: attacker.hits.map((h) => h.url), logs: v.logs.filter((l) => !/LOADED|MODE|REFERRER|ANCESTORS/.test(l)) });
    // Drag text from a page field into the open chat: pressing on the page is going back to it, which
    // closes the chat (and removes its frame) before any drag can reach it.
    await v.page.evaluate(() => ((document.getElementById('name') as HTMLInputElement).value = 'DRAGGED-FROM-PAGE'));
    const from = (await v.page.locator('#name').boundingBox())!;
    const to = (await v.page.locator('iframe[title="Chat"]').boundingBox())!;
    await v.page.mouse.dblclick(from.x + 20, from.y + from.height / 2);
    await v.page.mouse.move(from.x + 20, from.y + from.height / 2);
    await v.page.mouse.down();
    await v.page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 10 });
    await v.page.mouse.up();
    await v.page.waitForTimeout(1000);
    const drops = v.logs.filter((l) => /DROP|DRAGOVER/.test(l));
    const framesAfterDrag = await v.page.locator('iframe[title="Chat"]').count();
    console.log('drag:', { drops, framesAfterDrag });
    expect(drops).toEqual([]);
    expect(framesAfterDrag).toBe(0);
    // What is stopped: reading the clipboard, top navigation of the opener and the page's other frames,
    // scrolling the page, print() and alert() (no allow-modals), notifications.
    expect(logs(v, 'CLIP read')).toMatch(/NotAllowedError/);
    expect(logs(v, 'CLIP write')).toMatch(/NotAllowedError/);
    expect(logs(v, 'OPENER navigate')).toMatch(/SecurityError/);
    expect(logs(v, 'SIBLING navigate')).toMatch(/SecurityError/);
    expect(logs(v, 'NOTIFY')).toMatch(/denied/);
    expect(v.logs.some((l) => /print\(\)/.test(l) && /sandbox/.test(l))).toBe(true);
    expect(v.logs.some((l) => /alert\(\)/.test(l) && /sandbox/.test(l))).toBe(true);
    expect(attacker.hits).toEqual([]);
    expect(scrollAfter).toBe(scrollBefore);
    expect(logs(v, 'TOPRESIZE')).toMatch(/SecurityError/);
    expect(viewport).toEqual({ width: 1366, height: 500 });
    expect(logs(v, 'NAME')).toBe('PARLEY-ATTACK NAME ""');
    expect(opener).toBe(server.demoUrl);
    // Not stopped (measured, logged above: 'ATTACKER-CLIP-EXEC' in Chromium 156): after the shopper's
    // click inside the chat, execCommand('copy') replaces what the shopper had copied
    // (docs/SECURITY.md, "What it does not stop"). It cannot read it.
    await v.close();
  }, 120_000);
});

describe('an honest shopper still gets the files the agent sends', () => {
  let browser: Browser;
  let server: RunningServer;
  let dataDir = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-honest-files-'));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort() });
    browser = await launchChromium([], { popupBlocker: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a click on a document downloads it (through the loader), an image is shown inline', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const downloads: Array<{ name: string; url: string }> = [];
    context.on('page', (p) => p.on('download', (d) => downloads.push({ name: d.suggestedFilename(), url: d.url() })));
    page.on('download', (d) => downloads.push({ name: d.suggestedFilename(), url: d.url() }));
    const agent = await agentOnline(browser, server);
    await page.goto(server.demoUrl + '/checkout');
    const frame = await openChat(page);
    await startConversation(page);
    await agentSends(server, 'invoice.pdf', PDF);
    const link = frame.locator('a.file-link');
    await link.waitFor({ timeout: 10_000 });
    await page.waitForTimeout(10_500); // past the loader's wait after the launcher's click
    await link.click();
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(1);
    expect(downloads[0]!.name).toBe('invoice.pdf');
    expect(downloads[0]!.url).toMatch(new RegExp(`^${server.url}/files/att_`));
    expect(page.url()).toBe(server.demoUrl + '/checkout');
    // The tab the loader opened rendered nothing: the answer was the download.
    const others = context.pages().filter((p) => p !== page);
    console.log('honest download, other tabs:', others.map((p) => p.url()));
    for (const p of others) expect(['about:blank', '']).toContain(p.url());
    await context.close();
    await agent.close();
  }, 90_000);
});
