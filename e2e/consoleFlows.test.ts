/**
 * The agent's console after actions, in Chromium on the built server: the transfer control (hint
 * without teams, namesakes told apart by email, offline agents marked and not choosable), the list
 * row and the header right after a transfer and a resolve, and the visitor panel's browser row.
 */
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { addAgent, adminApi, consoleSignIn, openChat, serverAndChromium, type RunningServer } from './harness.js';

describe('console state after actions', () => {
  let server: RunningServer;
  let browser: Browser;
  serverAndChromium('parley-e2e-console-', (s, b) => {
    server = s;
    browser = b;
  });

  it('transfers to the right namesake and shows the new owner at once; resolved offers only Reopen', async () => {
    const errors: string[] = [];
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    await addAgent(server.url, admin, { email: 'sam.lee@shop.example', name: 'Sam Lee', password: 'a very long password 1' });
    await addAgent(server.url, admin, { email: 'sam.l@shop.example', name: 'Sam Lee', password: 'a very long password 2' });

    // The online Sam (sam.lee@) has a console open; the other Sam never signs in (offline).
    const samCtx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    const sam = await samCtx.newPage();
    await consoleSignIn(sam, server.url, 'sam.lee@shop.example', 'a very long password 1');

    // A shopper writes.
    const shopCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await shopCtx.newPage();
    shop.on('pageerror', (e) => errors.push(e.message));
    await shop.goto(server.demoUrl + '/checkout');
    const frame = await openChat(shop);
    await frame.locator('#pc-name').fill('Tess Transfer');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await frame.locator('#parley-message').fill('Can someone help with my order?');
    await frame.locator('#parley-message').press('Enter');

    const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    const c = await ctx.newPage();
    c.on('pageerror', (e) => errors.push(e.message));
    await consoleSignIn(c, server.url, server.admin!.email, server.admin!.password);
    await c.getByRole('tab', { name: /^All/ }).click();
    const row = c.locator('.conv-item', { hasText: 'Tess Transfer' });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await c.getByRole('button', { name: 'Assign to me', exact: true }).click();
    await expect.poll(() => row.locator('.conv-assignee').innerText()).toBe('You');

    // No team yet: the control says where teams come from.
    await expect.poll(() => c.locator('#transfer-hint').innerText()).toContain('Admin › Teams');
    // Namesakes carry their email; the offline one is listed as offline and cannot be chosen.
    const select = c.locator('#transfer-select');
    // The agent list loads after the pane: read the options once both Sams are listed (under load the first read saw only the placeholder).
    await expect.poll(() => select.locator('option').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const options = await select.locator('option').evaluateAll((os: HTMLOptionElement[]) => os.map((o) => ({ label: o.textContent ?? '', disabled: o.disabled, group: (o.parentElement as HTMLOptGroupElement).label ?? '' })));
    expect(options).toContainEqual(expect.objectContaining({ label: expect.stringMatching(/^Sam Lee \(sam\.lee@shop\.example\) — Online/), disabled: false }));
    expect(options).toContainEqual({ label: 'Sam Lee (sam.l@shop.example) — Offline', disabled: true, group: 'Offline (cannot take it now)' });
    // Choosing alone moves nothing (keyboard users arrow through the list); the button does.
    await select.selectOption({ label: (options.find((o) => o.label.startsWith('Sam Lee (sam.lee@'))!).label });
    expect(await row.locator('.conv-assignee').innerText()).toBe('You');
    await c.getByRole('button', { name: 'Transfer', exact: true }).click();

    // Right away, without a reload: the row, the header and the buttons say Sam has it.
    await expect.poll(() => row.locator('.conv-assignee').innerText(), { timeout: 10_000 }).toBe('Sam Lee');
    await expect.poll(() => c.locator('.pane-sub').innerText()).toContain('Assigned to Sam Lee');
    expect(await c.getByRole('button', { name: 'Assign to me', exact: true }).count()).toBe(1);
    await expect.poll(() => c.locator('.msg-system').innerText()).toContain('transferred the conversation to Sam Lee');
    // Sam sees it as theirs.
    await sam.getByRole('tab', { name: /^Mine/ }).click();
    await sam.locator('.conv-item', { hasText: 'Tess Transfer' }).waitFor({ timeout: 10_000 });

    // Resolved: the header offers Reopen only, the row and the header agree.
    await c.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect.poll(() => c.locator('.pane-sub .pill').first().innerText()).toBe('Resolved');
    const actions = await c.locator('.pane-actions button').allInnerTexts();
    expect(actions.map((s) => s.trim())).toEqual(['Reopen']);
    expect(await c.locator('#transfer-select').count()).toBe(0);

    // The visitor panel names the browser (headless Chromium is Chrome), the system apart.
    await c.getByRole('button', { name: 'Reopen', exact: true }).first().click();
    const panel = c.locator('.context');
    await expect.poll(() => panel.innerText()).toMatch(/Browser\s+Chrome \d+/);
    await expect.poll(() => panel.innerText()).toMatch(/System\s+Linux/);

    // Notifications: a visible switch (the browser's permission asked on first use), remembered;
    // without a click in the page yet, the top bar says why there is no sound.
    await ctx.grantPermissions(['notifications'], { origin: server.url });
    const toggle = c.getByRole('button', { name: 'Notifications', exact: true });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
    await c.reload();
    await c.locator('.topbar').waitFor();
    await c.getByText('Click anywhere to turn on sound').waitFor();
    expect(await c.getByRole('button', { name: 'Notifications', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await c.locator('.sidebar-title').click();
    await expect.poll(() => c.getByText('Click anywhere to turn on sound').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
