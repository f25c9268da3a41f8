/**
 * Issue 20 item 1 in Chromium: one verified shopper on two browser contexts sees the same
 * conversations, live (a new conversation and a new message on one appear on the other without a
 * reload); an unverified browser claiming the same user id sees none of them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { identityHash } from '../server/security/visitorIdentity.js';
import { adminApi, consoleSignIn, openChat, SHOTS, serverAndChromium, type RunningServer } from './harness.js';

describe('conversations follow the verified shopper (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  const consoleLines: string[] = [];
  serverAndChromium('parley-e2e-', (s, b) => {
    server = s;
    browser = b;
  });

  /** The widget frame opened on its own (as the loader would frame it), with the identity fragment the loader passes. */
  async function shopperFrame(identity: Record<string, string>): Promise<{ page: Page; frame: FrameLocator }> {
    const context = await browser.newContext({ viewport: { width: 420, height: 720 } });
    const page = await context.newPage();
    // On the tenant's own page, through the real loader: the identity goes on its script tag, as a
    // tenant's page would write it for a logged-in shopper; the loader passes it in the frame's fragment.
    await page.goto(server.demoUrl + '/checkout');
    await page.evaluate((attrs) => {
      const script = document.querySelector('script[data-parley-key]')!;
      for (const [k, v] of Object.entries(attrs)) if (v) script.setAttribute(`data-parley-${k}`, v);
    }, identity);
    page.on('console', (m) => consoleLines.push(m.text()));
    await openChat(page);
    return { page, frame: page.frameLocator('iframe[title="Chat"]') };
  }

  async function startChat(frame: FrameLocator, name: string): Promise<void> {
    const start = frame.getByRole('button', { name: 'Start chat' });
    const composer = frame.locator('#parley-message');
    await Promise.race([start.waitFor({ timeout: 15_000 }), composer.waitFor({ timeout: 15_000 })]).catch(async (err: Error) => {
      throw new Error(`${err.message}\nframe text: ${await frame.locator('body').innerText().catch(() => '?')}\nconsole: ${consoleLines.join('\n')}`);
    });
    if (await start.isVisible()) {
      const nameField = frame.locator('#pc-name');
      if (await nameField.isVisible()) await nameField.fill(name);
      await start.click();
    }
    await composer.waitFor({ timeout: 15_000 });
  }

  it('shows one verified shopper the same conversations on two browsers, live; an unverified one sees none', async () => {
    expect(server.admin, server.output()).not.toBeNull();
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    const secret = ((await admin.post('/api/contact-settings', { rotateIdentitySecret: true })) as { identitySecret: string }).identitySecret;
    // An agent online, so the widget offers live chat.
    const agentContext = await browser.newContext();
    await consoleSignIn(await agentContext.newPage(), server.url, server.admin!.email, server.admin!.password);

    const signed = { 'user-id': 'cust-e2e', 'user-hash': identityHash(secret, 'cust-e2e') };
    const laptop = await shopperFrame(signed);
    await startChat(laptop.frame, 'Ada');
    const phone = await shopperFrame(signed);
    await startChat(phone.frame, 'Ada');
    const stranger = await shopperFrame({ 'user-id': 'cust-e2e' }); // same id, no signature: unverified
    await startChat(stranger.frame, 'Eve');

    // The laptop writes: the phone, which had none, shows that conversation without a reload. It is
    // the shopper's only one, so no list, only the button to start another.
    await laptop.frame.locator('#parley-message').fill('Where is order 1001?');
    await laptop.frame.locator('#parley-message').press('Enter');
    const phoneList = phone.frame.getByRole('navigation', { name: 'Your conversations' });
    await expect.poll(() => phone.frame.getByRole('log').innerText(), { timeout: 15_000 }).toContain('Where is order 1001?');
    expect(await phoneList.count()).toBe(0);

    // The phone starts a second conversation: it appears on the laptop, live.
    await phone.frame.getByRole('button', { name: /New conversation/ }).click();
    await phone.frame.locator('#parley-message').fill('Another question: gift wrap?');
    await phone.frame.locator('#parley-message').press('Enter');
    const laptopList = laptop.frame.getByRole('navigation', { name: 'Your conversations' });
    await expect.poll(() => laptopList.innerText().catch(() => ''), { timeout: 15_000 }).toContain('gift wrap?');
    await expect.poll(() => laptopList.locator('.conv-item').count(), { timeout: 15_000 }).toBe(2);
    // And a message in the first conversation from the laptop reaches the phone's open log live.
    await phoneList.locator('.conv-item', { hasText: 'order 1001' }).click();
    await laptop.frame.locator('#parley-message').fill('It was posted yesterday, I see.');
    await laptop.frame.locator('#parley-message').press('Enter');
    await expect.poll(() => phone.frame.getByRole('log').innerText(), { timeout: 15_000 }).toContain('posted yesterday');
    await phone.page.screenshot({ path: join(SHOTS, 'widget-conversation-list.png') });

    // The unverified browser claiming the same user id sees neither conversation.
    await stranger.frame.locator('#parley-message').waitFor();
    const strangerText = await stranger.frame.locator('body').innerText();
    expect(strangerText).not.toContain('order 1001');
    expect(strangerText).not.toContain('gift wrap');
  });
});
