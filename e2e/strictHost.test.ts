/**
 * The snippet on a host page as strict as a shop can make it, in Chromium: the demo checkout sends
 * the CSP Parley recommends (GET /api/tenant/csp) and `Integrity-Policy: blocked-destinations=(script)`.
 * The launcher shows, the chat opens and works, and nothing is reported blocked. Trusted Types are
 * enforced in the frame and the console, and neither bundle trips them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { launchChromium, openChat, SHOTS, startServer, type RunningServer } from './harness.js';

/** Puts a string into an HTML sink: 'TypeError' where Trusted Types are enforced. Runs in the browser. */
function htmlFromString(): string {
  try {
    document.body.insertAdjacentHTML('beforeend', '<b>x</b>');
    return 'accepted';
  } catch (e) {
    return (e as Error).name;
  }
}

describe('the snippet under the host page\'s strictest settings', () => {
  let browser: Browser;
  let server: RunningServer;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-strict-data-'));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort() });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('works on a page with the recommended CSP and Integrity-Policy, with Trusted Types enforced in the frame', async () => {
    const login = await fetch(server.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify(server.admin),
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const recommended = ((await (await fetch(server.url + '/api/tenant/csp', { headers: { cookie } })).json()) as { policy: string }).policy;

    const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !/favicon|404 \(Not Found\)/.test(m.text()) && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    const res = await page.goto(server.demoUrl + '/checkout');
    expect(res!.headers()['integrity-policy']).toBe('blocked-destinations=(script)');
    expect(res!.headers()['content-security-policy']).toBe(recommended);

    // Both are enforced in this browser: a script without an integrity hash is refused, even from 'self'.
    const refused = await page.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const s = document.createElement('script');
          s.src = '/demo/checkout?as=script';
          s.onerror = () => resolve(true);
          s.onload = () => resolve(false);
          document.head.appendChild(s);
        }),
    );
    expect(refused).toBe(true);
    problems.length = 0;

    await page.locator('parley-chat').waitFor();
    const chat = await openChat(page);
    // Nobody is online: the first field is the offline form's Name.
    await chat.locator('#off-name').waitFor({ timeout: 10_000 });
    // The frame's document enforces Trusted Types: a string into an HTML sink throws.
    const frame = page.frames().find((f) => f.url().includes('/widget/frame/'))!;
    await page.waitForTimeout(500);
    const before = problems.length;
    const sink = await frame.evaluate(htmlFromString);
    expect(sink).toBe('TypeError');
    await page.waitForTimeout(300);
    problems.splice(before); // the violation that test itself just caused
    await chat.locator('#off-name').fill('Strict Shopper');
    await page.screenshot({ path: join(SHOTS, 'strict-host-open.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the launcher covers no payment field on a 390x844 phone; screenshots closed and open, desktop and phone', async () => {
    for (const viewport of [{ width: 390, height: 844 }, { width: 1366, height: 800 }]) {
      const page = await browser.newPage({ viewport });
      await page.goto(server.demoUrl + '/checkout');
      const launcher = (await page.locator('parley-chat').boundingBox())!;
      for (const id of ['#card-number', '#card-expiry', '#card-cvc']) {
        await page.locator(id).focus();
        const f = (await page.locator(id).boundingBox())!;
        const l = (await page.locator('parley-chat').boundingBox())!;
        const overlap = f.x < l.x + l.width && l.x < f.x + f.width && f.y < l.y + l.height && l.y < f.y + f.height;
        expect(overlap, `${id} under the launcher at ${viewport.width}px`).toBe(false);
      }
      expect(launcher.height).toBe(48);
      await page.screenshot({ path: join(SHOTS, `widget-closed-${viewport.width}.png`) });
      await (await openChat(page)).locator('#off-name').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: join(SHOTS, `widget-open-${viewport.width}.png`) });
      await page.close();
    }
  });

  it('the console runs under Trusted Types without a violation', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && /Trusted Type|Content Security Policy/i.test(m.text()) && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    const res = await page.goto(server.url + '/console/');
    expect(res!.headers()['content-security-policy']).toContain("require-trusted-types-for 'script'");
    await page.locator('input[type=email]').fill(server.admin!.email);
    await page.locator('input[type=password]').fill(server.admin!.password);
    await page.locator('form.login-card button[type=submit]').click();
    await page.locator('.topbar').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1000);
    expect(problems).toEqual([]);
    const sink = await page.evaluate(htmlFromString);
    expect(sink).toBe('TypeError');
    await page.close();
  });
});
