/**
 * Card data never leaves the browser, in Chromium with the real widget on the built server: card
 * numbers typed in the offline "leave a message" form (every field) and in the chat (full-width
 * digits, dots, a number split over two messages) never appear in what the frame sends (HTTP bodies,
 * WebSocket frames), in the email that reaches a real SMTP server, or in the server's log at trace
 * level; what the shopper sees is the masked form, earlier message included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { consoleSignIn, launchChromium, openChat, startServer, type RunningServer } from './harness.js';
import { SmtpSink } from '../server/testing/smtpSink.js';
import { holdsCardDigits } from '../protocol/redactionCorpus.js';

describe('card redaction in Chromium', () => {
  let dataDir: string;
  let server: RunningServer;
  let smtp: SmtpSink;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-cards-'));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort(), env: { SMTP_URL: smtp.url, LOG_LEVEL: 'trace' } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A shopper on the demo checkout with the chat open; everything the page sends is recorded. */
  async function shopper(): Promise<{ page: Page; frame: ReturnType<Page['frameLocator']>; sent: string[] }> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    const sent: string[] = [];
    page.on('request', (r) => sent.push(r.url(), r.postData() ?? ''));
    page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));
    await page.goto(server.demoUrl + '/checkout');
    const frame = await openChat(page);
    return { page, frame, sent };
  }

  it('the offline form and the chat send, store, email and log only masked card numbers', async () => {
    const VISA = '4111111111111111';
    const MC = '5555555555554444';
    const AMEX = '378282246310005';

    // --- Leave a message: the card in the name, in the message (dots, and an expiry and code).
    // Nobody is online: the widget offers only the message form.
    const s1 = await shopper();
    await s1.frame.getByRole('heading', { name: 'Leave us a message' }).waitFor({ timeout: 30_000 });
    await s1.frame.getByLabel('Name').fill('Olga ５５５５ ５５５５ ５５５５ ４４４４');
    await s1.frame.getByLabel('Email').fill('olga@example.com');
    await s1.frame.getByLabel('Your message').fill('Please charge 4111.1111.1111.1111 exp 12/27 cvv 123');
    await s1.frame.getByRole('button', { name: 'Send message' }).click();
    await expect.poll(() => s1.frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('[card •••• 1111]');
    const mail = await smtp.next();
    const mailText = mail.text + Buffer.from(mail.text, 'latin1').toString('utf8');
    expect(mailText).toContain('•••• 1111');
    for (const pan of [VISA, MC]) expect(holdsCardDigits(mailText, pan), mail.text).toBe(false);

    // --- Chat: a card in full-width digits, and an Amex split over two messages.
    // An agent signs in (a console open): now the widget offers a live chat.
    const agent = await (await browser.newContext()).newPage();
    await consoleSignIn(agent, server.url, server.admin!.email, server.admin!.password);
    const s2 = await shopper();
    const start = s2.frame.getByRole('button', { name: 'Start chat' });
    // The frame shows either the pre-chat form or the composer once it has loaded: wait for one of
    // them (checking at once raced a slow frame, which then showed the form nobody filled in).
    await start.or(s2.frame.locator('#parley-message')).first().waitFor({ timeout: 30_000 });
    if (await start.isVisible()) {
      await s2.frame.locator('#pc-name').fill('Bea');
      await start.click();
    }
    const composer = s2.frame.locator('#parley-message');
    await composer.fill('my other card is ４１１１ １１１１ １１１１ １１１１');
    await composer.press('Enter');
    await composer.fill('and the amex: 3782 822463');
    await composer.press('Enter');
    await composer.fill('10005 thanks');
    await composer.press('Enter');
    const log = s2.frame.getByRole('log');
    await expect.poll(() => log.innerText(), { timeout: 10_000 }).toContain('[card •••• 0005] thanks');
    // The earlier part is masked on screen too (the server replaced that message).
    await expect.poll(() => log.innerText(), { timeout: 10_000 }).toContain('and the amex: [card ••••]');
    const shown = await log.innerText();
    for (const pan of [VISA, AMEX]) expect(holdsCardDigits(shown, pan, 13)).toBe(false);

    // Nothing the browser sent held a whole card (the split Amex's first part is 10 digits).
    for (const pan of [VISA, MC, AMEX]) expect(s1.sent.concat(s2.sent).filter((s) => holdsCardDigits(s, pan, 13))).toEqual([]);
    // The server's log at trace level holds none either.
    for (const pan of [VISA, MC, AMEX]) expect(holdsCardDigits(server.output(), pan, 13, false)).toBe(false);
  });
});
