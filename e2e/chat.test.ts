/**
 * The walking skeleton, end to end in a real browser: a shopper on the demo checkout opens the
 * widget and writes; an agent sees it live in the console and answers; the shopper sees the answer;
 * the server restarts and both still see the whole history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { launchChromium, openChat, SHOTS, startServer, type RunningServer } from './harness.js';

describe('chat end to end in Chromium', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  let shopper: BrowserContext;
  let agent: BrowserContext;
  let port: number;
  let demoPort: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
    port = await freePort();
    demoPort = await freePort();
    server = await startServer({ dataDir, port, demoPort });
    browser = await launchChromium();
    shopper = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    agent = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });


  it('carries a conversation from the demo checkout to the console and back, across a restart', async () => {
    expect(server.admin, server.output()).not.toBeNull();

    // --- the agent signs in first: with nobody online the widget offers "leave a message" only ---
    const console_ = await agent.newPage();
    await console_.goto(server.url + '/console/');
    await console_.locator('input[type=email]').fill(server.admin!.email);
    await console_.locator('input[type=password]').fill(server.admin!.password);
    await console_.locator('form.login-card button[type=submit]').click();
    await console_.locator('.topbar').waitFor({ timeout: 10_000 });

    // --- the shopper, on the tenant's checkout page ---
    const shop = await shopper.newPage();
    const pageErrors: string[] = [];
    shop.on('pageerror', (e) => pageErrors.push(e.message));
    await shop.goto(server.demoUrl + '/checkout');
    const frame = await openChat(shop);
    await shop.screenshot({ path: join(SHOTS, 'widget-prechat.png') });
    await frame.locator('#pc-name').fill('Ada Shopper');
    await frame.locator('#pc-email').fill('ada@example.com');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    const composer = frame.locator('#parley-message');
    await composer.fill('Hello, does the rain jacket come in blue?');
    await composer.press('Enter');
    await expect.poll(() => frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('does the rain jacket come in blue?');

    await console_.getByRole('tab', { name: /^All/ }).click();
    const item = console_.locator('.conv-item', { hasText: 'Ada Shopper' });
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    await expect.poll(() => console_.getByRole('log').innerText(), { timeout: 10_000 }).toContain('does the rain jacket come in blue?');

    // The shopper writes again while the agent watches: it arrives live, without a reload.
    await composer.fill('Size M please');
    await composer.press('Enter');
    await expect.poll(() => console_.getByRole('log').innerText(), { timeout: 10_000 }).toContain('Size M please');

    await console_.locator('#composer-input').fill('Yes! Navy blue, size M is in stock.');
    await console_.locator('#composer-input').press('Enter');
    await expect.poll(() => frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('Navy blue, size M is in stock.');
    // The reply gave the conversation to the agent: the shopper no longer waits in the queue.
    await expect.poll(() => frame.locator('.queue').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => console_.locator('.pane-head').innerText(), { timeout: 10_000 }).toContain('Assigned to you');
    await shop.screenshot({ path: join(SHOTS, 'widget-conversation.png') });
    await console_.screenshot({ path: join(SHOTS, 'console-conversation.png') });

    // Message content is text, never markup: a body that looks like HTML is shown literally.
    await composer.fill('<img src=x onerror="alert(1)"> <b>bold?</b>');
    await composer.press('Enter');
    await expect.poll(() => console_.getByRole('log').innerText(), { timeout: 10_000 }).toContain('<b>bold?</b>');
    expect(await console_.locator('.log img[src="x"]').count()).toBe(0);
    expect(await frame.locator('.log b').count()).toBe(0);

    // --- restart the server on the same data ---
    await server.stop();
    server = await startServer({ dataDir, port, demoPort });
    expect(server.admin).toBeNull(); // the admin was created once, not again

    // Both sides reconnect by themselves and keep the full history.
    await expect.poll(() => console_.getByRole('log').innerText(), { timeout: 20_000 }).toContain('Navy blue, size M is in stock.');
    await composer.fill('Thanks, ordering now');
    await composer.press('Enter');
    await expect.poll(() => console_.getByRole('log').innerText(), { timeout: 20_000 }).toContain('Thanks, ordering now');

    // A fresh load of each page shows the whole conversation, in order, once.
    await shop.reload();
    // The chat never reopens by itself after a reload: the shopper opens it (the frame cannot).
    expect(await shop.locator('iframe[title="Chat"]').count()).toBe(0);
    const shopperLog = (await openChat(shop)).getByRole('log');
    await expect.poll(() => shopperLog.innerText(), { timeout: 10_000 }).toContain('Thanks, ordering now');
    const shopperText = await shopperLog.innerText();
    for (const line of ['rain jacket come in blue?', 'Size M please', 'Navy blue, size M is in stock.', 'Thanks, ordering now']) {
      expect(shopperText.split(line).length - 1, line).toBe(1);
    }
    expect(shopperText.indexOf('Size M please')).toBeLessThan(shopperText.indexOf('Navy blue'));

    await console_.reload();
    await console_.getByRole('tab', { name: /Mine/ }).click();
    await console_.locator('.conv-item', { hasText: 'Ada Shopper' }).click();
    await expect.poll(() => console_.getByRole('log').innerText(), { timeout: 10_000 }).toContain('Thanks, ordering now');
    const agentText = await console_.getByRole('log').innerText();
    expect(agentText.split('Size M please').length - 1).toBe(1);

    await shop.screenshot({ path: join(SHOTS, 'widget-after-restart.png') });
    await console_.screenshot({ path: join(SHOTS, 'console-after-restart.png') });
    expect(pageErrors).toEqual([]);
  });
});
