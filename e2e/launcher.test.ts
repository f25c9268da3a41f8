/**
 * The launcher as a tenant places it, in Chromium, on the demo checkout: the page's language
 * (data-parley-lang: launcher label and frame in French), hide-on-these-pages (data-parley-hide-on
 * with the page naming itself), and screenshots of desktop and phone, closed and open, saved under
 * docs/screenshots/. Each check has its control (the same page without the attribute).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { launchChromium, openChat, ROOT, startServer, type RunningServer } from './harness.js';

const DOCS_SHOTS = join(ROOT, 'docs', 'screenshots');

describe('launcher placement and language on the demo checkout', () => {
  let browser: Browser;
  let server: RunningServer;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-launcher-data-'));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort() });
    // Pages rewritten by page.route count as public-address documents for Local Network Access checks.
    browser = await launchChromium(['--disable-features=LocalNetworkAccessChecks']);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The demo checkout with extra snippet attributes and, optionally, a first script naming the page. */
  async function checkout(opts: { attrs?: string; pageName?: string; viewport?: { width: number; height: number } }): Promise<Page> {
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1366, height: 800 }, locale: 'en-US' });
    await page.route(server.demoUrl + '/checkout', async (route) => {
      const res = await route.fetch();
      let html = await res.text();
      // Attributes are not covered by SRI: the tenant sets them on its own tag.
      if (opts.attrs) html = html.replace('data-parley-key=', `${opts.attrs} data-parley-key=`);
      const headers = res.headers();
      if (opts.pageName) {
        // The page names itself before the snippet (an inline script: the demo's CSP is dropped for it).
        html = html.replace('<script src=', `<script>window.Parley=[['page',${JSON.stringify(opts.pageName)}]]</script><script src=`);
        delete headers['content-security-policy'];
      }
      await route.fulfill({ response: res, body: html, headers });
    });
    await page.goto(server.demoUrl + '/checkout');
    await page.locator('parley-chat').waitFor({ state: 'attached' });
    return page;
  }

  const display = (p: Page) => p.locator('parley-chat').evaluate((e) => getComputedStyle(e).display);

  it('speaks French when the page says so: the launcher\'s label names the frame, and the frame is in French (control: no attribute, English)', async () => {
    const fr = await checkout({ attrs: 'data-parley-lang="fr"' });
    const chat = await openChat(fr).catch(() => null);
    expect(chat).not.toBeNull();
    await fr.locator('iframe[title="Discuter"]').waitFor({ timeout: 15_000 });
    const frFrame = fr.frameLocator('iframe[title="Discuter"]');
    await expect.poll(() => frFrame.locator('html').getAttribute('lang'), { timeout: 15_000 }).toBe('fr');
    await frFrame.locator('.widget').waitFor({ timeout: 15_000 });
    // The demo shop's greeting in French, as the demo tenant wrote it (control below: English).
    await expect.poll(() => frFrame.locator('.body .bubble').first().textContent(), { timeout: 15_000 }).toMatch(/^Bonjour !/);
    await fr.close();

    const en = await checkout({});
    await openChat(en);
    await en.locator('iframe[title="Chat"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => en.frameLocator('iframe[title="Chat"]').locator('html').getAttribute('lang'), { timeout: 15_000 }).toBe('en');
    await expect.poll(() => en.frameLocator('iframe[title="Chat"]').locator('.body .bubble').first().textContent(), { timeout: 15_000 }).toMatch(/^Hi! Questions/);
    await en.close();
  }, 90_000);

  it('hides on the pages listed in data-parley-hide-on when the page names itself (control: another page name shows it)', async () => {
    const hidden = await checkout({ attrs: 'data-parley-hide-on="checkout cart"', pageName: 'checkout' });
    await expect.poll(() => display(hidden), { timeout: 10_000 }).toBe('none');
    expect(await hidden.locator('iframe').count()).toBe(0);
    await hidden.close();
    const shown = await checkout({ attrs: 'data-parley-hide-on="checkout cart"', pageName: 'product' });
    await expect.poll(() => display(shown), { timeout: 10_000 }).toBe('block');
    await shown.close();
  }, 60_000);

  it('screenshots: desktop and phone, closed and open (docs/screenshots/)', async () => {
    for (const [name, viewport, attrs] of [
      ['desktop', { width: 1366, height: 800 }, ''],
      ['phone', { width: 390, height: 844 }, 'data-parley-lang="fr"'],
    ] as const) {
      const page = await checkout({ viewport, attrs: attrs || undefined });
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(DOCS_SHOTS, `launcher-${name}-closed.png`) });
      await openChat(page);
      const frame = page.frameLocator('iframe');
      await frame.locator('.widget').waitFor({ timeout: 15_000 });
      await page.waitForTimeout(1500);
      // The iframe is opaque (a frame cannot show the page through itself): the card must fill it, with
      // the iframe's own corners as round as the card's, or a white square shows around the card. On
      // desktop it is docked on the window's bottom edge, whole (header and close button on screen).
      const iframe = await page.locator('iframe').evaluate((f) => {
        const r = f.getBoundingClientRect();
        return { radius: getComputedStyle(f).borderRadius, top: r.top, bottom: innerHeight - r.bottom };
      });
      const card = await frame.locator('.window').evaluate((w) => {
        const r = w.getBoundingClientRect();
        return { gaps: [r.left, r.top, innerWidth - r.right, innerHeight - r.bottom], radius: getComputedStyle(w).borderRadius };
      });
      expect(card.gaps).toEqual([0, 0, 0, 0]);
      expect([iframe.radius, card.radius]).toEqual(name === 'desktop' ? ['16px 16px 0px 0px', '16px 16px 0px 0px'] : ['0px', '0px']);
      expect(iframe.bottom).toBe(0);
      expect(iframe.top).toBeGreaterThanOrEqual(0);
      await page.screenshot({ path: join(DOCS_SHOTS, `launcher-${name}-open.png`) });
      await page.close();
    }
    // A laptop window shorter than the open chat plus a launcher raised above a bottom bar: the open
    // chat still fits the window, its close button on screen.
    const short = await checkout({ viewport: { width: 1366, height: 600 }, attrs: 'data-parley-offset-y="96"' });
    await openChat(short);
    const close = short.frameLocator('iframe').getByRole('button', { name: 'Close chat' });
    await close.waitFor({ timeout: 15_000 });
    const frameBox = (await short.locator('iframe').boundingBox())!;
    expect(frameBox.y).toBeGreaterThanOrEqual(0);
    expect(frameBox.y + frameBox.height).toBeLessThanOrEqual(600);
    expect((await close.boundingBox())!.y).toBeGreaterThanOrEqual(0);
    await short.close();
  }, 90_000);
});
