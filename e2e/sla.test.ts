/**
 * Service levels in Chromium on the built server: an admin defines an SLA policy in Admin › Service
 * levels (the form, as a person would), a shopper writes, the inbox row shows the live first-reply
 * countdown, and when the minute passes unanswered the SLA job's breach reaches the console over the
 * agent socket: the row's chip turns overdue and a breach alert names the visitor. The report in
 * Analytics then counts the breach.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { adminApi, consoleSignIn, launchChromium, openChat, SHOTS, startServer, type RunningServer } from './harness.js';

describe('service levels in the console', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-sla-'));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort(), env: { SLA_CHECK_MS: '500' } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the countdown, then the breach, live', { timeout: 180_000 }, async () => {
    const errors: string[] = [];
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    await admin.post('/api/teams', { name: 'Care', strategy: 'least_busy', timeZone: 'UTC', weeklyHours: null, holidays: [], notifyEmail: null, memberIds: [admin.agentId] });

    const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    const c = await ctx.newPage();
    c.on('pageerror', (e) => errors.push(e.message));
    await consoleSignIn(c, server.url, server.admin!.email, server.admin!.password);
    // The policy, through the admin form: one minute to the first reply, every hour counting.
    await c.goto(server.url + '/console/#admin/sla');
    await c.locator('#sla-new').click();
    await c.locator('#sla-name').fill('Care one-minute');
    await c.locator('#sla-first').fill('1');
    await c.locator('#sla-next').fill('');
    await c.locator('#sla-resolution').fill('60');
    await c.locator('#sla-business').uncheck();
    await c.locator('#sla-save').click();
    await expect.poll(() => c.locator('#sla-table').innerText()).toContain('Care one-minute');
    expect(await c.locator('#sla-table').innerText()).toContain('Care');
    await c.goto(server.url + '/console/#');
    await c.locator('.sidebar').waitFor();

    // A shopper writes; nobody answers.
    const shopCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await shopCtx.newPage();
    shop.on('pageerror', (e) => errors.push(e.message));
    await shop.goto(server.demoUrl + '/checkout');
    const frame = await openChat(shop);
    await frame.locator('#pc-name').fill('Una Waiting');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await frame.locator('#parley-message').fill('Is anyone there?');
    await frame.locator('#parley-message').press('Enter');

    await c.getByRole('tab', { name: /^All/ }).click();
    const row = c.locator('.conv-item', { hasText: 'Una Waiting' });
    await row.waitFor({ timeout: 15_000 });
    const chip = row.locator('.sla-chip');
    // The countdown appears and runs (first reply due within the minute).
    await chip.waitFor({ timeout: 20_000 });
    expect(await chip.getAttribute('data-sla-target')).toBe('first_response');
    await expect.poll(() => chip.innerText()).toMatch(/^⏱\s*0:\d\d\s/);
    const first = await chip.innerText();
    await expect.poll(() => chip.innerText(), { timeout: 5_000 }).not.toBe(first);
    expect(await chip.locator('.visually-hidden').innerText()).toMatch(/First reply due in 0:\d\d/);

    // The minute passes: the breach arrives on the socket (alert) and the chip turns overdue.
    const alert = c.locator('.sla-alert', { hasText: 'Una Waiting' });
    await alert.waitFor({ timeout: 90_000 });
    expect(await alert.innerText()).toContain('First reply missed for Una Waiting (Care one-minute)');
    await expect.poll(() => chip.getAttribute('class')).toContain('is-breached');
    expect(await chip.locator('.visually-hidden').innerText()).toMatch(/First reply overdue by/);
    await c.screenshot({ path: join(SHOTS, 'console-sla-breach.png') });
    // Open from the alert: the conversation is on screen, the alert gone.
    await alert.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => c.locator('.sla-alert').count()).toBe(0);
    await expect.poll(() => c.locator('.conv-item.is-active').innerText()).toContain('Una Waiting');

    // Analytics counts it.
    await c.goto(server.url + '/console/#admin/analytics');
    await expect.poll(() => c.locator('#sla-report-table').innerText(), { timeout: 15_000 }).toContain('0 met · 1 breached');
    expect(errors).toEqual([]);
  });
});
