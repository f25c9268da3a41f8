/**
 * Agent productivity in Chromium on the built server (issue 20): an agent uses a label, a macro and
 * a mention; two agents in the same conversation see each other; '?' shows the shortcuts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { SHOTS, addAgent, adminApi, consoleSignIn, openChat, serverAndChromium, type RunningServer } from './harness.js';

describe('agent productivity in the console', () => {
  let server: RunningServer;
  let browser: Browser;
  serverAndChromium('parley-e2e-productivity-', (s, b) => {
    server = s;
    browser = b;
  });

  it('a label, a macro and a mention; two agents see each other in the same conversation', async () => {
    const errors: string[] = [];
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    await addAgent(server.url, admin, { email: 'sam@shop.example', name: 'Sam Lee', password: 'a very long password 1' });
    const vip = (await admin.post('/api/labels', { name: 'VIP' })) as { id: string };
    await admin.post('/api/labels', { name: 'Refund' });
    await admin.post('/api/macros', { name: 'Refund sent', actions: [{ type: 'reply', body: 'Hi {{visitor.name}}, your refund is on its way.' }, { type: 'priority', priority: 'high' }, { type: 'assign', agentId: 'me' }] });

    const openIn = async (email: string, password: string) => {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
      const page = await ctx.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await consoleSignIn(page, server.url, email, password);
      return page;
    };
    const openRow = async (page: Awaited<ReturnType<typeof openIn>>) => {
      await page.getByRole('tab', { name: /^All/ }).click();
      const row = page.locator('.conv-item', { hasText: 'Rita Refund' });
      await row.waitFor({ timeout: 10_000 });
      await row.click();
    };
    // Agents are signed in before the shopper writes (nobody online: the widget offers the offline form).
    const me = await openIn(server.admin!.email, server.admin!.password);
    const sam = await openIn('sam@shop.example', 'a very long password 1');
    const shopCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await shopCtx.newPage();
    await shop.goto(server.demoUrl + '/checkout');
    const frame = await openChat(shop);
    await frame.locator('#pc-name').fill('Rita Refund');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await frame.locator('#parley-message').fill('Where is my refund?');
    await frame.locator('#parley-message').press('Enter');

    await openRow(me);
    await openRow(sam);

    // Collision detection: each sees the other, live.
    await expect.poll(() => me.locator('.colleagues').textContent(), { timeout: 10_000 }).toContain('Sam Lee is viewing');
    await expect.poll(() => sam.locator('.colleagues').textContent(), { timeout: 10_000 }).toMatch(/is viewing/);
    // Sam types: the other console says so.
    await sam.locator('#composer-input').fill('Let me check');
    await expect.poll(() => me.locator('.colleagues').textContent(), { timeout: 10_000 }).toContain('Sam Lee is typing');

    // A label.
    await me.locator('#add-label').selectOption({ label: 'VIP' });
    await expect.poll(() => me.locator('.label-chip').allTextContents()).toEqual([expect.stringContaining('VIP')]);
    // Sam's console gets it live.
    await expect.poll(() => sam.locator('.label-chip').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('VIP')]);

    // A macro: its reply reaches the shopper, the priority and the assignee change at once.
    await me.locator('#macro').selectOption({ label: 'Refund sent' });
    await me.locator('#apply-macro').click();
    await expect.poll(() => frame.locator('body').innerText(), { timeout: 10_000 }).toContain('Hi Rita Refund, your refund is on its way.');
    await expect.poll(() => me.locator('#priority').inputValue()).toBe('high');
    await expect.poll(() => me.locator('.pane-sub').innerText()).toContain('Assigned to you');
    // The shopper never sees labels or priority.
    expect(await frame.locator('body').innerText()).not.toContain('VIP');

    // A mention in a private note notifies Sam.
    await me.getByRole('button', { name: 'Private note' }).click();
    await me.locator('#composer-input').fill('@sam can you double-check the amount?');
    await me.locator('#composer-input').press('Enter');
    await expect.poll(() => sam.locator('.toast').textContent(), { timeout: 10_000 }).toContain('mentioned you in a note');
    await me.screenshot({ path: join(SHOTS, 'console-productivity.png') });
    await sam.screenshot({ path: join(SHOTS, 'console-productivity-colleague.png') });

    // The list filters by label over the API the console uses.
    const byLabel = (await admin.get(`/api/conversations?view=all&label=${vip.id}`)) as { items: Array<{ visitor: { name: string } }> };
    expect(byLabel.items.map((c) => c.visitor.name)).toEqual(['Rita Refund']);

    // Keyboard: '?' opens the help, Escape closes it.
    await me.locator('.pane-head h2').click();
    await me.keyboard.press('?');
    await me.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await me.screenshot({ path: join(SHOTS, 'console-shortcuts.png') });
    await me.keyboard.press('Escape');
    await expect.poll(() => me.getByRole('dialog').count()).toBe(0);

    // The inbox filters by label (the sidebar's filtered list), and bulk-resolves what is ticked.
    await me.locator('#filter-label').selectOption({ label: 'VIP' });
    await expect.poll(() => me.locator('#filtered-list .filtered-item').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('Rita Refund')]);
    await me.locator('#filter-label').selectOption({ label: 'Refund' });
    await expect.poll(() => me.locator('#filtered-list .filtered-item').count()).toBe(0);
    await me.locator('#filter-label').selectOption({ label: 'VIP' });
    await me.getByRole('checkbox', { name: 'Select the conversation with Rita Refund' }).check();
    await me.screenshot({ path: join(SHOTS, 'console-filter-bulk.png') });

    // Sam leaves: the other console stops showing him.
    await sam.close();
    await expect.poll(() => me.locator('.colleagues').count(), { timeout: 10_000 }).toBe(0);
    await me.getByRole('group', { name: '1 selected' }).getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => me.locator('.pane-sub').innerText(), { timeout: 10_000 }).toContain('Resolved');
    expect(errors).toEqual([]);
  });
});
