/**
 * Contact-centre settings in Chromium: create a team with business hours, agent capacity, the identity
 * secret, a tenant redaction pattern (the server's refusal of a dangerous one shown next to it), then a
 * widget message with a matching string arrives redacted in the console; inbox search finds the
 * conversation; the exposure report lists it with a CSV link; the admin area in French.
 * Screenshots go to e2e/screenshots/settings-*.png.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openChat, SHOTS, serverAndChromium, type RunningServer } from './harness.js';

describe('contact-centre settings in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  serverAndChromium('parley-e2e-settings-', (s, b) => {
    server = s;
    browser = b;
  });

  async function signIn(page: Page) {
    await page.goto(server.url + '/console/');
    await page.locator('input[type=email]').fill(server.admin!.email);
    await page.locator('input[type=password]').fill(server.admin!.password);
    await page.locator('form.login-card button[type=submit]').click();
    await page.locator('.topbar').waitFor({ timeout: 10_000 });
  }

  it('sets up a team, a redaction pattern and search, and the widget follows them', async () => {
    expect(server.admin, server.output()).not.toBeNull();
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !/status of (401|400)/.test(m.text()) && errors.push(m.text()));
    await signIn(page);

    // --- a team with business hours (UTC, every day until midnight, so the widget is live whenever the test runs) and a holiday
    await page.goto(server.url + '/console/#admin/teams');
    await page.locator('#capacity-table').waitFor();
    await page.locator('#team-new').click();
    await page.locator('#team-name').fill('Billing');
    await page.locator('#team-strategy').selectOption('least_busy');
    await page.locator('#team-zone').fill('Mars/Olympus');
    await expect.poll(() => page.locator('#team-form .form-error').first().innerText()).toContain('IANA');
    expect(await page.locator('#team-save').isDisabled()).toBe(true);
    await page.locator('#team-zone').fill('UTC');
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) {
      await page.locator(`#team-open-${day}`).check();
      await page.locator(`#team-from-${day}`).fill('00:00');
      await page.locator(`#team-to-${day}`).fill('24');
    }
    await page.locator('#team-holiday').fill('2031-01-01');
    await page.locator('#team-holiday-add').click();
    await page.locator('#team-members input[type=checkbox]').first().check();
    await page.screenshot({ path: join(SHOTS, 'settings-team-editor.png'), fullPage: true });
    await page.locator('#team-save').click();
    await expect.poll(() => page.locator('#teams-table').innerText()).toContain('Billing');
    const row = await page.locator('#teams-table').innerText();
    expect(row).toContain('Least busy');
    expect(row).toContain('2031-01-01');
    expect(row).toMatch(/Open now/);
    // Capacity of the admin.
    const cap = page.locator('#capacity-table input[type=number]').first();
    await cap.fill('3');
    await page.locator('#capacity-table').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#capacity-table').getByRole('button', { name: 'Save' }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'settings-teams.png'), fullPage: true });
    const presence = await page.evaluate(async () => (await fetch('/api/presence')).json());
    expect(presence.items[0].maxChats).toBe(3);

    // --- contact settings: the identity secret, shown once
    await page.goto(server.url + '/console/#admin/contact');
    await page.locator('#identity-rotate').click();
    expect(await page.locator('.adm-once .adm-secret').innerText()).toMatch(/^ids_/);
    await page.screenshot({ path: join(SHOTS, 'settings-contact.png'), fullPage: true });
    await page.getByRole('button', { name: 'I have saved it' }).click();

    // --- privacy: a dangerous pattern is refused by the server and shown next to it; then a good one
    await page.goto(server.url + '/console/#admin/privacy');
    await page.locator('#privacy-days').waitFor();
    await page.locator('#privacy-days').fill('0');
    await expect.poll(() => page.locator('#privacy-days-error').count()).toBe(1);
    await page.locator('#privacy-days').fill('30');
    await page.locator('#pattern-add').click();
    await page.locator('#pattern-0').fill('([unclosed');
    await expect.poll(() => page.locator('#pattern-0-error').innerText()).toContain('regular expression');
    await page.locator('#pattern-0').fill('(a+)+');
    await page.locator('#privacy-save').click();
    await expect.poll(() => page.locator('#pattern-0-error').innerText()).toContain('catastrophic');
    await expect.poll(() => page.locator('#privacy-error').innerText()).toContain('pattern 1');
    await page.screenshot({ path: join(SHOTS, 'settings-privacy-refused.png'), fullPage: true });
    await page.locator('#pattern-0').fill('ORD-\\d{6}');
    await page.locator('#pattern-sample').fill('Order ORD-123456 please');
    await expect.poll(() => page.locator('#pattern-preview').innerText()).toBe('Order [redacted] please');
    await page.locator('#privacy-save').click();
    await page.locator('text=Saved.').waitFor();
    await page.screenshot({ path: join(SHOTS, 'settings-privacy.png'), fullPage: true });
    const privacy = await page.evaluate(async () => (await fetch('/api/admin/privacy')).json());
    expect(privacy).toEqual({ retentionDays: 30, redactionPatterns: ['ORD-\\d{6}'] });

    // --- widget settings: the Position radios and the pre-chat fields (name required, order number)
    await page.goto(server.url + '/console/#admin/widget');
    await page.locator('#w-save').waitFor();
    const fieldRows = page.locator('.adm-card table.adm-table tr');
    await fieldRows.filter({ hasText: 'Order number' }).locator('input[type=checkbox]').first().check();
    await fieldRows.filter({ hasText: 'Email' }).locator('input[type=checkbox]').first().uncheck();
    await fieldRows.filter({ hasText: 'Name' }).locator('input[type=checkbox]').nth(1).check();
    await page.locator('#w-save').click();
    await page.locator('text=Saved.').waitFor();
    await page.locator('#admin-main').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'settings-widget.png') });
    // The two radios share one row, vertically centred on the inputs beside them.
    const radios = await page.locator('input[name=position]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    expect(Math.abs(radios[0]! - radios[1]!)).toBeLessThan(2);

    // --- the inbox (the agent is online); a shopper writes an order number
    await page.goto(server.url + '/console/#');
    await page.locator('#inbox-search').waitFor();
    const shopperCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const shop = await shopperCtx.newPage();
    shop.on('pageerror', (e) => errors.push(e.message));
    await shop.goto(server.demoUrl + '/checkout');
    const frame = await openChat(shop);
    // Only the configured fields: name (required) and order number; no email.
    await frame.locator('#pc-name').waitFor();
    expect(await frame.locator('#pc-email').count()).toBe(0);
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await expect.poll(() => frame.locator('#pc-name-error').innerText()).toContain('fill in');
    await frame.locator('#pc-name').fill('Rita Redact');
    expect(await frame.locator('#pc-name-error').count()).toBe(0);
    await frame.locator('#pc-orderNumber').fill('ORD-777777');
    await shop.screenshot({ path: join(SHOTS, 'settings-widget-prechat.png') });
    await frame.getByRole('button', { name: 'Start chat' }).click();
    const composer = frame.locator('#parley-message');
    await composer.fill('Where is ORD-654321? It is very late');
    await composer.press('Enter');
    // Redacted in the visitor's own browser before sending…
    await expect.poll(() => frame.getByRole('log').innerText(), { timeout: 10_000 }).toContain('Where is [redacted]?');
    // The order number from the pre-chat form went first, redacted as well.
    await expect.poll(() => frame.getByRole('log').innerText()).toContain('Order number: [redacted]');
    expect(await frame.getByRole('log').innerText()).not.toContain('777777');
    expect(await frame.getByRole('log').innerText()).not.toContain('654321');
    await shop.screenshot({ path: join(SHOTS, 'settings-widget-redacted.png') });

    // …and so it arrives in the console.
    await page.getByRole('tab', { name: /All/ }).click();
    const rita = page.locator('.conv-item', { hasText: 'Rita Redact' });
    await rita.waitFor({ timeout: 10_000 });
    await rita.click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 10_000 }).toContain('Where is [redacted]? It is very late');
    expect(await page.locator('body').innerText()).not.toContain('654321');
    await page.screenshot({ path: join(SHOTS, 'settings-console-redacted.png') });

    // --- search finds the conversation; a click opens it; clearing returns to the tabs
    await page.goto(server.url + '/console/#');
    await page.locator('#inbox-search').fill('late');
    await page.locator('#inbox-search').press('Enter');
    await expect.poll(() => page.locator('#search-results').innerText(), { timeout: 10_000 }).toContain('Rita Redact');
    expect(await page.getByRole('tablist').isVisible()).toBe(false);
    await page.screenshot({ path: join(SHOTS, 'settings-search.png') });
    await page.locator('#search-results .conv-item', { hasText: 'Rita Redact' }).click();
    await expect.poll(() => page.locator('body').innerText()).toContain('[redacted]');
    await page.locator('#inbox-search').fill('nosuchwordanywhere');
    await page.locator('#inbox-search').press('Enter');
    await expect.poll(() => page.locator('#search-results').innerText()).toContain('No conversation contains');
    await page.locator('#inbox-search-clear').click();
    await expect.poll(() => page.getByRole('tablist').isVisible()).toBe(true);
    expect(await page.locator('#search-results').count()).toBe(0);

    // --- exposure report: what the admin's own session could see, with a CSV link
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
    await page.goto(server.url + '/console/#admin/exposure');
    await page.locator('#exp-run').click();
    await expect.poll(() => page.locator('.form-error').first().innerText()).toContain('at least one filter');
    // Picked by name (the report needs the id, the admin does not type it).
    await page.locator('#exp-who').selectOption(`agent:${me.agent.id}`);
    await page.locator('#exp-run').click();
    await expect.poll(() => page.locator('#exposure-table').innerText(), { timeout: 10_000 }).toContain('Rita Redact');
    const csvHref = await page.locator('#exp-csv').getAttribute('href');
    expect(csvHref).toContain('format=csv');
    const csv = await page.evaluate(async (href) => {
      const r = await fetch(href!);
      return { type: r.headers.get('content-type'), text: await r.text() };
    }, csvHref);
    expect(csv.type).toContain('text/csv');
    expect(csv.text).toContain('Rita Redact');
    await page.screenshot({ path: join(SHOTS, 'settings-exposure.png'), fullPage: true });
    await shopperCtx.close();
    await ctx.close();

    // --- the admin area in French
    const frCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'fr-FR' });
    const fr = await frCtx.newPage();
    fr.on('pageerror', (e) => errors.push(e.message));
    await signIn(fr);
    await fr.goto(server.url + '/console/#admin/teams');
    await expect.poll(() => fr.locator('.adm-nav').innerText()).toContain('Équipes et routage');
    await expect.poll(() => fr.locator('#teams-table').innerText()).toContain('Le moins occupé');
    await fr.screenshot({ path: join(SHOTS, 'settings-teams-fr.png'), fullPage: true });
    await fr.goto(server.url + '/console/#admin/agents');
    await expect.poll(() => fr.locator('#admin-main').innerText()).toContain('Inviter un agent');
    await fr.goto(server.url + '/console/#admin/widget');
    await fr.locator('#w-save').waitFor();
    await fr.screenshot({ path: join(SHOTS, 'settings-widget-fr.png'), fullPage: true });
    await frCtx.close();

    expect(errors).toEqual([]);
  });
});
