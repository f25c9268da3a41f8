/**
 * Contact-centre flows in Chromium on the built server: "leave a message" emailed to the team
 * (read from a real SMTP server process), the queue position a waiting shopper sees, presence and
 * automatic assignment, canned responses with variables, read receipts, visitor context, the rating
 * and the transcript by email at the end, and the knowledge-base bot handing off to a person.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { adminApi, launchChromium, openChat, SHOTS, startServer, type RunningServer } from './harness.js';
import { SmtpSink } from '../server/testing/smtpSink.js';
import { crc32, deflateSync } from 'node:zlib';

/** A small solid-colour PNG, built here so the upload is a real image. */
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.concat(Array.from({ length: width }, () => Buffer.from(rgb)))]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('contact centre in Chromium', () => {
  let dataDir: string;
  let server: RunningServer;
  let smtp: SmtpSink;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-cc-'));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort(), env: { SMTP_URL: smtp.url } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function shopper(): Promise<{ page: Page; frame: ReturnType<Page['frameLocator']> }> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(server.demoUrl + '/checkout');
    const frame = await openChat(page);
    return { page, frame };
  }

  it('runs the contact centre end to end', async () => {
    const pageErrors: string[] = [];
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    await admin.post('/api/teams', { name: 'Support', strategy: 'round_robin', timeZone: 'Europe/Paris', weeklyHours: null, holidays: [], notifyEmail: 'team@shop.example', memberIds: [admin.agentId] });
    await admin.post('/api/canned-responses', { shortcut: 'refund', title: 'Refund on its way', body: 'Hi {{visitor.name}}, your refund is on its way. — {{agent.name}}' });

    // --- 1. Nobody online: the widget offers "leave a message", which reaches the team by email.
    const s1 = await shopper();
    s1.page.on('pageerror', (e) => pageErrors.push(e.message));
    // One path only: the message form, no "Start chat" beside it.
    await s1.frame.getByRole('heading', { name: 'Leave us a message' }).waitFor();
    expect(await s1.frame.getByRole('button', { name: 'Start chat' }).count()).toBe(0);
    await s1.frame.getByLabel('Name').fill('Olga Offline');
    await s1.frame.getByLabel('Email').fill('olga@example.com');
    await s1.frame.getByLabel('Your message').fill('Please call me back about my order');
    await s1.page.screenshot({ path: join(SHOTS, 'widget-offline.png') });
    await s1.frame.getByRole('button', { name: 'Send message' }).click();
    await expect.poll(() => s1.frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('Please call me back');
    // Answered by email: the shopper is thanked, never put "in line" (not even after a reload).
    await s1.frame.getByText('Thanks! We got your message and will reply by email.').waitFor();
    await s1.page.reload();
    await openChat(s1.page); // a reloaded page has no frame until the shopper opens the chat again
    await s1.frame.getByText('Thanks! We got your message and will reply by email.').waitFor({ timeout: 10_000 });
    expect(await s1.frame.locator('.queue').count()).toBe(0);
    const mail = await smtp.next();
    expect(mail.to).toEqual(['team@shop.example']);
    expect(mail.text).toContain('Please call me back about my order');

    // --- 2. The agent signs in (online: Olga's conversation is routed to them), then goes away.
    const agentCtx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const c = await agentCtx.newPage();
    c.on('pageerror', (e) => pageErrors.push(e.message));
    await c.goto(server.url + '/console/');
    await c.locator('input[type=email]').fill(server.admin!.email);
    await c.locator('input[type=password]').fill(server.admin!.password);
    await c.locator('form.login-card button[type=submit]').click();
    await c.getByRole('tab', { name: /Mine/ }).click();
    await c.locator('.conv-item', { hasText: 'Olga Offline' }).waitFor({ timeout: 10_000 });
    await c.getByRole('button', { name: 'Away' }).click();
    await expect.poll(() => c.getByRole('button', { name: 'Away' }).getAttribute('aria-pressed')).toBe('true');
    await c.getByRole('button', { name: 'Online' }).click();
    await expect.poll(() => c.getByRole('button', { name: 'Online' }).getAttribute('aria-pressed')).toBe('true');
    // Online but full (one chat at most, Olga's): the next shopper is offered live chat and waits.
    await admin.post('/api/presence', { maxChats: 1 });

    // --- 3. A shopper who writes now waits in the queue and sees their place.
    const s2 = await shopper();
    s2.page.on('pageerror', (e) => pageErrors.push(e.message));
    await s2.frame.locator('#pc-name').fill('Bea Buyer');
    await s2.frame.getByRole('button', { name: 'Start chat' }).click();
    const composer = s2.frame.locator('#parley-message');
    await composer.fill('Hello, where is my refund?');
    await composer.press('Enter');
    await expect.poll(() => s2.frame.locator('.queue').innerText(), { timeout: 10_000 }).toContain('next in line');
    await s2.page.screenshot({ path: join(SHOTS, 'widget-queue.png') });

    // --- 4. Room for more: the conversation is assigned automatically; the queue notice goes.
    await admin.post('/api/presence', { maxChats: 5 });
    await expect.poll(() => s2.frame.locator('.queue').count(), { timeout: 10_000 }).toBe(0);
    const bea = c.locator('.conv-item', { hasText: 'Bea Buyer' });
    await bea.waitFor({ timeout: 10_000 });
    await bea.click();
    // The shopper sees that the agent has read their message.
    await expect.poll(() => s2.frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('Read');

    // --- 5. A canned response with variables, from the composer.
    const input = c.locator('#composer-input');
    await input.fill('/ref');
    await c.getByRole('listbox', { name: 'Canned responses' }).waitFor();
    await c.screenshot({ path: join(SHOTS, 'console-canned.png') });
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toContain('Hi Bea Buyer, your refund is on its way. — Demo Admin');
    await input.press('Enter');
    await expect.poll(() => s2.frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('your refund is on its way');
    // Visitor context: the page the shopper opened the chat on (the shop's referrer policy sends its origin); transfer is offered.
    await expect.poll(() => c.locator('.context').innerText()).toMatch(/PAGES SEEN\s+localhost:\d+/i);
    expect(await c.locator('select.transfer').count()).toBe(1);
    // The shopper sends a photo: checked by content on the server, previewed on both sides.
    await s2.frame.locator('input[type=file]').setInputFiles({ name: 'damaged-box.png', mimeType: 'image/png', buffer: png(160, 100, [46, 125, 90]) });
    await s2.frame.locator('img[alt="damaged-box.png"]').waitFor({ timeout: 10_000 });
    await c.locator('img[alt="damaged-box.png"]').waitFor({ timeout: 10_000 });
    expect(await c.locator('img[alt="damaged-box.png"]').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(160);
    await c.screenshot({ path: join(SHOTS, 'console-context.png') });

    // --- 6. Resolved: the shopper rates the chat and gets the transcript by email.
    await c.getByRole('button', { name: 'Resolve', exact: true }).click();
    await s2.frame.getByText('How did we do?').waitFor({ timeout: 10_000 });
    // Keyboard only: the stars are a native radio group (arrow keys move and select).
    await s2.frame.getByRole('radio', { name: '1 star', exact: true }).focus();
    for (let i = 0; i < 4; i++) await s2.page.keyboard.press('ArrowRight');
    expect(await s2.frame.getByRole('radio', { name: '5 stars' }).isChecked()).toBe(true);
    await s2.frame.getByPlaceholder('Comment').fill('Quick and friendly');
    await s2.frame.getByRole('button', { name: 'Send rating' }).click();
    await s2.frame.getByText('Thank you for your feedback!').waitFor();
    await s2.frame.locator('#tr-email').fill('bea@example.com');
    await s2.frame.getByRole('button', { name: 'Email me the transcript' }).click();
    await s2.frame.getByText('The transcript is on its way.').waitFor();
    await s2.page.screenshot({ path: join(SHOTS, 'widget-rating.png') });
    const transcript = await smtp.next();
    expect(transcript.to).toEqual(['bea@example.com']);
    expect(transcript.text).toContain('Hello, where is my refund?');
    expect(transcript.text).toContain('your refund is on its way');

    // --- 7. The knowledge-base bot answers first, then hands off to a person on request.
    await admin.post('/api/kb/articles', { title: 'Shipping times', body: 'Orders ship within 24 hours and arrive in 2-4 days.' });
    await admin.post('/api/contact-settings', { botEnabled: true });
    const s3 = await shopper();
    s3.page.on('pageerror', (e) => pageErrors.push(e.message));
    await s3.frame.locator('#pc-name').fill('Carl Curious');
    await s3.frame.getByRole('button', { name: 'Start chat' }).click();
    await s3.frame.locator('#parley-message').fill('How long does shipping take?');
    await s3.frame.locator('#parley-message').press('Enter');
    await expect.poll(() => s3.frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('Orders ship within 24 hours').catch((e) => { console.log('SERVER OUTPUT', server.output().slice(-3000)); throw e; });
    // The bot's answer has its own look (robot avatar, "automatic answer" tag), not an agent's.
    expect(await s3.frame.locator('.group.bot').innerText()).toContain('Orders ship within 24 hours');
    await s3.page.screenshot({ path: join(SHOTS, 'widget-bot.png') });
    await s3.frame.getByRole('button', { name: 'Talk to a person' }).click();
    await expect.poll(() => s3.frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('Connecting you with a person');
    const carl = c.locator('.conv-item', { hasText: 'Carl Curious' });
    await carl.waitFor({ timeout: 10_000 });
    await carl.click();
    await expect.poll(() => c.getByRole('log').innerText(), { timeout: 10_000 }).toContain('Orders ship within 24 hours');
    // In the console too: the bot's answer is the bot's, the handoff an event notice, the visitor's their own.
    expect(await c.locator('.msg-bot').innerText()).toContain('Orders ship within 24 hours');
    expect(await c.locator('.msg-system').innerText()).toContain('Connecting you with a person');
    expect(await c.locator('.msg-agent').count()).toBe(0);
    expect(await s3.frame.locator('p.system', { hasText: 'Connecting you with a person' }).count()).toBe(1);
    await c.screenshot({ path: join(SHOTS, 'console-bot-handoff.png') });

    // --- 8. The library dialog (knowledge base and canned responses) opens from the top bar.
    await c.getByRole('button', { name: 'Library', exact: true }).click();
    await c.getByRole('dialog', { name: 'Knowledge base and canned responses' }).getByText('Shipping times').waitFor();
    await c.screenshot({ path: join(SHOTS, 'console-library.png') });
    await c.keyboard.press('Escape');

    expect(pageErrors).toEqual([]);
  });
});
