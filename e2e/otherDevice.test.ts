/**
 * Issue 20 item 1 in Chromium, the shopper's other device: one verified shopper on two browser
 * contexts; from the second, in a conversation started on the first, they send a file, rate the
 * conversation and ask for its transcript. The conversation list's unread marker appears on both when
 * an agent replies in a conversation neither shows, and clears on both when the first opens it.
 * Screenshots of the list with the marker at phone and desktop sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { identityHash } from '../server/security/visitorIdentity.js';
import { freePort } from '../server/testing/freePort.js';
import { SmtpSink } from '../server/testing/smtpSink.js';
import { adminApi, consoleSignIn, launchChromium, openChat, SHOTS, startServer, type RunningServer } from './harness.js';

const PDF = Buffer.from('%PDF-1.4\n% a receipt\n');

describe("a verified shopper's second browser (Chromium)", () => {
  let dataDir: string;
  let server: RunningServer;
  let smtp: SmtpSink;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-devices-'));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort(), env: { SMTP_URL: smtp.url } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The tenant's checkout page with the shopper logged in (identity on the loader's tag), chat open. */
  async function shopper(identity: Record<string, string>, viewport: { width: number; height: number }): Promise<{ page: Page; frame: FrameLocator }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.demoUrl + '/checkout');
    await page.evaluate((attrs) => {
      const script = document.querySelector('script[data-parley-key]')!;
      for (const [k, v] of Object.entries(attrs)) script.setAttribute(`data-parley-${k}`, v);
    }, identity);
    const frame = await openChat(page);
    const start = frame.getByRole('button', { name: 'Start chat' });
    const composer = frame.locator('#parley-message');
    await start.or(composer).first().waitFor({ timeout: 15_000 });
    if (await start.isVisible()) await start.click();
    await composer.waitFor({ timeout: 15_000 });
    return { page, frame };
  }
  const write = async (frame: FrameLocator, text: string) => {
    await frame.locator('#parley-message').fill(text);
    await frame.locator('#parley-message').press('Enter');
  };
  const list = (frame: FrameLocator) => frame.getByRole('navigation', { name: 'Your conversations' });
  const row = (frame: FrameLocator, text: string) => list(frame).locator('.conv-item', { hasText: text });

  it('sends a file, rates and mails from the second browser; the unread marker follows an agent reply and clears when opened', async () => {
    expect(server.admin, server.output()).not.toBeNull();
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    const secret = ((await admin.post('/api/contact-settings', { rotateIdentitySecret: true })) as { identitySecret: string }).identitySecret;
    // An agent online, so the widget offers live chat.
    await consoleSignIn(await (await browser.newContext()).newPage(), server.url, server.admin!.email, server.admin!.password);
    const signed = { 'user-id': 'cust-devices', 'user-hash': identityHash(secret, 'cust-devices') };

    const phone = await shopper(signed, { width: 390, height: 740 });
    await write(phone.frame, 'Where is order 1001?');
    await expect.poll(() => phone.frame.getByRole('log').innerText(), { timeout: 15_000 }).toContain('Where is order 1001?');
    const laptop = await shopper(signed, { width: 1280, height: 800 });

    // The laptop opens the phone's conversation and sends a file into it: both see it.
    await row(laptop.frame, 'order 1001').click();
    await expect.poll(() => laptop.frame.getByRole('log').innerText(), { timeout: 15_000 }).toContain('Where is order 1001?');
    await laptop.frame.locator('input[type=file]').setInputFiles({ name: 'receipt.pdf', mimeType: 'application/pdf', buffer: PDF });
    await expect.poll(() => laptop.frame.getByRole('log').innerText(), { timeout: 15_000 }).toContain('receipt.pdf');
    await expect.poll(() => phone.frame.getByRole('log').innerText(), { timeout: 15_000 }).toContain('receipt.pdf');
    expect(await laptop.frame.locator('.form-error').count()).toBe(0);

    const items = ((await admin.get('/api/conversations?view=all')) as { items: Array<{ id: string; lastMessage: { body: string } | null }> }).items;
    const first = items.find((c) => c.lastMessage?.body === 'receipt.pdf')!;
    expect(first, JSON.stringify(items)).toBeDefined();

    // Resolved by the agent: the laptop rates it and asks for the transcript.
    await admin.post(`/api/conversations/${first.id}/resolve`, {});
    await laptop.frame.getByRole('heading', { name: 'How did we do?' }).waitFor({ timeout: 15_000 });
    await laptop.frame.locator('.stars label').nth(4).click();
    await laptop.frame.getByRole('button', { name: 'Send rating' }).click();
    await laptop.frame.getByText('Thank you for your feedback!').waitFor({ timeout: 10_000 });
    expect(((await admin.get(`/api/conversations/${first.id}/context`)) as { rating: unknown }).rating).toMatchObject({ rating: 5 });
    await laptop.frame.locator('#tr-email').fill('ada@example.com');
    await laptop.frame.getByRole('button', { name: 'Email me the transcript' }).click();
    await laptop.frame.getByText('The transcript is on its way.').waitFor({ timeout: 10_000 });
    const mail = await smtp.next();
    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.text).toContain('Where is order 1001?');
    expect(mail.text).toContain('receipt.pdf');

    // Neither browser shows it any more: the laptop is about to start a new one, the phone writes in a new one.
    await laptop.frame.getByRole('button', { name: /New conversation/ }).click();
    await phone.frame.getByRole('button', { name: /New conversation/ }).click();
    await write(phone.frame, 'And can you gift wrap it?');
    await expect.poll(() => row(laptop.frame, 'gift wrap').count(), { timeout: 15_000 }).toBe(1);

    // The agent reopens the first conversation and replies: both lists mark it, live.
    await admin.post(`/api/conversations/${first.id}/reopen`, {});
    await admin.post(`/api/conversations/${first.id}/messages`, { clientId: 'e2e-reply-1', body: 'Thanks, we have your receipt.' });
    for (const who of [phone, laptop]) {
      const marked = row(who.frame, 'we have your receipt');
      await expect.poll(() => marked.getAttribute('class'), { timeout: 15_000 }).toContain('unread');
      expect(await marked.locator('.conv-unread').isVisible()).toBe(true);
      expect(await marked.innerText()).toContain('New reply'); // what a screen reader hears
      // The conversation shown is not marked.
      expect(await row(who.frame, 'gift wrap').getAttribute('class')).not.toContain('unread');
    }
    await phone.page.screenshot({ path: join(SHOTS, 'widget-unread-phone.png') });
    await laptop.page.screenshot({ path: join(SHOTS, 'widget-unread-desktop.png') });

    // The phone opens it: the reply is shown, the marker goes there and on the laptop, without a reload.
    await row(phone.frame, 'we have your receipt').click();
    await expect.poll(() => phone.frame.getByRole('log').innerText(), { timeout: 15_000 }).toContain('Thanks, we have your receipt.');
    for (const who of [phone, laptop]) {
      await expect.poll(() => row(who.frame, 'we have your receipt').getAttribute('class'), { timeout: 15_000 }).not.toContain('unread');
      expect(await list(who.frame).locator('.conv-unread').count()).toBe(0);
    }
    expect(errors).toEqual([]);
  });
});
