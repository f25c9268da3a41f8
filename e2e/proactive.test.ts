/**
 * Proactive messages (issue 20 item 4) in Chromium on the built server: an admin writes a rule in
 * Admin › Proactive messages (the form, as a person would) for the page named "checkout"; the shop's
 * page names itself (Parley.push(['page', 'checkout'])), and with data-parley-keep the hidden frame
 * asks the server and the loader shows the text in its own launcher bubble; the shopper opens the
 * chat (the message is there) and replies; Analytics counts shown, opened and replied. Without
 * data-parley-keep the message shows when the shopper opens the chat. Screenshots:
 * docs/screenshots/proactive-{bubble,chat,admin,report}.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { adminApi, axe, consoleSignIn, launchChromium, openChat, ROOT, SHOTS as E2E_SHOTS, startServer, type RunningServer } from './harness.js';

const TEXT = 'Questions about delivery? We answer in minutes.';
const SHOTS = join(ROOT, 'docs', 'screenshots');

/** The launcher's accessible name, read from Chromium's accessibility tree (the button is in a closed shadow root). */
async function launcherName(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: Array<{ role?: { value?: string }; name?: { value?: string } }> };
  await cdp.detach();
  return nodes.filter((n) => n.role?.value === 'button').map((n) => n.name?.value ?? '').find((n) => n.startsWith('Chat')) ?? '';
}

describe('proactive messages', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-proactive-'));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort() });
    // The shop page is rewritten by page.route (data-parley-keep on the snippet); such pages count as
    // public-address documents for Local Network Access, which would refuse their loopback requests.
    browser = await launchChromium(['--disable-features=LocalNetworkAccessChecks']);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fires for a page name: bubble on the launcher, shown in the chat, replied to, counted', async () => {
    const errors: string[] = [];
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);

    // The agent's console is open (the chat is live), and the admin writes the rule in the form.
    const cctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const c = await cctx.newPage();
    c.on('pageerror', (e) => errors.push(e.message));
    await consoleSignIn(c, server.url, server.admin!.email, server.admin!.password);
    await c.goto(server.url + '/console/#admin/proactive');
    await c.locator('#proactive-new').click();
    await c.locator('#pro-name').fill('Checkout help');
    await c.locator('#pro-message').fill(TEXT);
    await c.locator('#pro-page').fill('checkout');
    expect(await axe(c, 'console')).toEqual([]);
    await c.locator('#proactive-editor-h').locator('xpath=..').screenshot({ path: join(E2E_SHOTS, 'proactive-editor.png') });
    await c.locator('#pro-save').click();
    await expect.poll(() => c.locator('#proactive-table').innerText()).toContain('Checkout help');
    expect(await c.locator('#proactive-table').innerText()).toContain('page “checkout”');
    // Like every admin list (admin/collection.tsx): focus is back on New, and a delete is asked first.
    await expect.poll(() => c.evaluate(() => document.activeElement?.id)).toBe('proactive-new');
    let asked = '';
    c.once('dialog', (d) => ((asked = d.message()), void d.dismiss()));
    await c.getByRole('button', { name: 'Delete Checkout help' }).click();
    await expect.poll(() => asked).toContain('Delete the proactive message Checkout help?');
    expect(await c.locator('#proactive-table').innerText()).toContain('Checkout help');
    expect(await axe(c, 'console')).toEqual([]);
    await c.locator('.adm-main').screenshot({ path: join(SHOTS, 'proactive-admin.png') });
    await c.goto(server.url + '/console/#');
    await c.locator('.sidebar').waitFor();

    // The shop opts into the kept frame; its page names itself.
    const shopCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await shopCtx.newPage();
    shop.on('pageerror', (e) => errors.push(e.message));
    await shop.route(server.demoUrl + '/checkout', async (route) => {
      const res = await route.fetch();
      const headers = res.headers();
      await route.fulfill({ response: res, body: (await res.text()).replace('data-parley-key=', 'data-parley-keep data-parley-key='), headers });
    });
    await shop.goto(server.demoUrl + '/checkout');
    await shop.evaluate(() => (window as unknown as { Parley: { push(a: unknown[]): void } }).Parley.push(['page', 'checkout', { cart: '1 item' }]));
    // The bubble: the loader's own text node, in its launcher button (closed shadow root).
    await expect.poll(() => launcherName(shop), { timeout: 15_000 }).toContain(TEXT);
    expect(await shop.locator('iframe[title="Chat"]').evaluate((f) => getComputedStyle(f).visibility)).toBe('hidden');
    await shop.screenshot({ path: join(SHOTS, 'proactive-bubble.png'), clip: { x: 780, y: 560, width: 500, height: 240 } });
    const report = async () => ((await admin.get('/api/reports/proactive')) as { rows: Array<{ shown: number; opened: number; replied: number }> }).rows[0];
    expect(await report()).toMatchObject({ shown: 1, opened: 0, replied: 0 });

    // The shopper opens the chat: the message is there, as text; the bubble is gone.
    const frame = await openChat(shop);
    await expect.poll(() => frame.locator('#parley-proactive').innerText(), { timeout: 10_000 }).toBe(TEXT);
    await expect.poll(async () => (await report())?.opened).toBe(1);
    await frame.locator('#pc-name').fill('Paula Proactive');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await frame.locator('#parley-message').fill('Yes: does express delivery reach Lyon?');
    await frame.locator('#parley-message').press('Enter');
    await frame.locator('.bubble', { hasText: 'Yes: does express delivery reach Lyon?' }).waitFor();
    await shop.screenshot({ path: join(SHOTS, 'proactive-chat.png') });
    await expect.poll(async () => await report(), { timeout: 10_000 }).toMatchObject({ shown: 1, opened: 1, replied: 1 });
    expect(await axe(shop.frames().find((f) => f.url().includes('/widget/frame/'))!, 'widget')).toEqual([]);
    // Back on the page, the bubble does not come back (it was opened).
    await shop.locator('#card-number').click();
    await expect.poll(() => launcherName(shop)).not.toContain(TEXT);

    // Without data-parley-keep there is no frame while the chat is closed: the message shows on opening.
    const plainCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const plain = await plainCtx.newPage();
    plain.on('pageerror', (e) => errors.push(e.message));
    await plain.goto(server.demoUrl + '/checkout');
    await plain.evaluate(() => (window as unknown as { Parley: { push(a: unknown[]): void } }).Parley.push(['page', 'checkout']));
    expect(await plain.locator('iframe').count()).toBe(0);
    const plainFrame = await openChat(plain);
    await expect.poll(() => plainFrame.locator('#parley-proactive').innerText(), { timeout: 10_000 }).toBe(TEXT);
    await expect.poll(async () => await report()).toMatchObject({ shown: 2, opened: 2, replied: 1 });

    // Analytics shows the counts.
    await c.goto(server.url + '/console/#admin/analytics');
    const table = c.locator('#proactive-report-table');
    await table.waitFor({ timeout: 10_000 });
    expect((await table.innerText()).replace(/\s+/g, ' ')).toContain('Checkout help 2 2 (100 %) 1 (50 %)');
    expect(await axe(c, 'console')).toEqual([]);
    await c.locator('#proactive-report-h').locator('xpath=..').screenshot({ path: join(SHOTS, 'proactive-report.png') });
    expect(errors).toEqual([]);
    await Promise.all([cctx.close(), shopCtx.close(), plainCtx.close()]);
  }, 120_000);
});
