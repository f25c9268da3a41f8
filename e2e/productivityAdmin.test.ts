/**
 * Labels and macros defined in the console, used by an agent (issue 20), in Chromium on the built
 * server: the admin defines a label and a macro in Admin › Labels and Admin › Macros (the server's
 * refusals shown in the form); a plain agent, who has no admin area, applies the macro in a
 * conversation (the reply reaches the shopper, the label is on, the conversation resolved) and
 * mentions a colleague in a note through the @ autocomplete, keyboard only; the colleague is told.
 * A label and a macro the admin adds then reach the agent's open console live, without a reload.
 * Every screen on the way is checked with axe (no critical or serious violation) and photographed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SHOTS, addAgent, adminApi, axe, consoleSignIn, openChat, serverAndChromium, type AxeFinding, type RunningServer } from './harness.js';

describe('labels and macros from the admin area to the inbox', () => {
  let server: RunningServer;
  let browser: Browser;
  serverAndChromium('parley-e2e-prodadmin-', (s, b) => {
    server = s;
    browser = b;
  });

  it('an admin defines a label and a macro; an agent applies it and @mentions a colleague, who is notified', async () => {
    const errors: string[] = [];
    const findings: AxeFinding[] = [];
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    await addAgent(server.url, admin, { email: 'sam@shop.example', name: 'Sam Lee', password: 'a very long password 1' });
    await addAgent(server.url, admin, { email: 'ana@shop.example', name: 'Ana Ortiz', password: 'a very long password 2' });
    const openIn = async (email: string, password: string) => {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-GB' });
      const page = await ctx.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await consoleSignIn(page, server.url, email, password);
      return page;
    };
    const look = async (page: Page, name: string) => {
      findings.push(...(await axe(page, name)));
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    };

    // ---- the admin: Admin › Labels
    const me = await openIn(server.admin!.email, server.admin!.password);
    await me.goto(`${server.url}/console/#admin/labels`);
    await me.getByRole('heading', { name: 'Labels', level: 1 }).waitFor();
    expect(await me.locator('#labels-table').innerText()).toContain('No label yet.');
    await me.locator('#label-new').click();
    await expect.poll(() => me.evaluate(() => document.activeElement?.id)).toBe('label-name');
    // Nothing typed: the form says what is missing and asks the server nothing.
    await me.locator('#label-save').click();
    await expect.poll(() => me.locator('#label-form [role=alert]').allInnerTexts()).toEqual(['Give the label a name.']);
    await me.locator('#label-name').fill('VIP');
    await me.locator('#label-color-hex').fill('#7c3aed');
    await look(me, 'admin-label-editor');
    await me.locator('#label-save').click();
    await expect.poll(() => me.locator('#labels-table').innerText()).toContain('VIP');
    expect(await me.locator('#labels-table').innerText()).toContain('#7c3aed');
    // The same name again: the server refuses (409) and the form says so, in words.
    await me.locator('#label-new').click();
    await me.locator('#label-name').fill('vip');
    await me.locator('#label-save').click();
    await expect.poll(() => me.locator('#label-form [role=alert]').innerText()).toBe('A label named “vip” already exists.');
    await me.getByRole('button', { name: 'Cancel' }).click();
    await look(me, 'admin-labels');

    // ---- Admin › Macros
    await me.getByRole('link', { name: 'Macros' }).click();
    await me.getByRole('heading', { name: 'Macros', level: 1 }).waitFor();
    await me.locator('#macros-table').waitFor();
    await me.locator('#macro-new').click();
    await me.locator('#macro-save').click();
    await expect.poll(() => me.locator('#macro-form [role=alert]').count()).toBe(2); // no name, no step
    await me.locator('#macro-name').fill('Refund sent');
    await me.locator('#macro-reply').fill('Hi {{visitor.name}}, your refund is on its way.');
    await me.locator('#macro-labels').getByRole('checkbox', { name: 'VIP' }).check();
    await me.locator('#macro-assign').selectOption({ label: 'The agent applying it' });
    await me.locator('#macro-status').selectOption({ label: 'Resolved' });
    await look(me, 'admin-macro-editor');
    await me.locator('#macro-save').click();
    const row = me.locator('#macros-table tr', { hasText: 'Refund sent' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Replies “Hi \{\{visitor\.name\}\}, your refund is on its way\.”[\s\S]*Adds the label VIP[\s\S]*Assigns to the agent applying it[\s\S]*Resolves/);
    await look(me, 'admin-macros');
    // Saved as the API has it.
    const saved = (await admin.get('/api/macros')) as { items: Array<{ name: string; actions: unknown[] }> };
    const vip = ((await admin.get('/api/labels')) as { items: Array<{ id: string; name: string }> }).items.find((l) => l.name === 'VIP')!;
    expect(saved.items).toEqual([
      {
        id: expect.any(String),
        name: 'Refund sent',
        actions: [
          { type: 'reply', body: 'Hi {{visitor.name}}, your refund is on its way.' },
          { type: 'label', labelId: vip.id },
          { type: 'assign', agentId: 'me' },
          { type: 'status', status: 'resolved' },
        ],
      },
    ]);

    // ---- the agents: no admin area for them (the server refuses their edits too)
    const sam = await openIn('sam@shop.example', 'a very long password 1');
    const ana = await openIn('ana@shop.example', 'a very long password 2');
    expect(await sam.locator('#open-admin').count()).toBe(0);
    const samApi = await adminApi(server.url, 'sam@shop.example', 'a very long password 1');
    await expect(samApi.post('/api/labels', { name: 'Nope' })).rejects.toThrow(/: 403 /);
    expect(((await samApi.get('/api/macros')) as { items: unknown[] }).items).toHaveLength(1); // but he lists them, to apply them

    // ---- a shopper writes
    const shopCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await shopCtx.newPage();
    await shop.goto(server.demoUrl + '/checkout');
    const frame = await openChat(shop);
    await frame.locator('#pc-name').fill('Rita Refund');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await frame.locator('#parley-message').fill('Where is my refund?');
    await frame.locator('#parley-message').press('Enter');

    await sam.getByRole('tab', { name: /^All/ }).click();
    const conv = sam.locator('.conv-item', { hasText: 'Rita Refund' });
    await conv.waitFor({ timeout: 10_000 });
    await conv.click();

    // ---- Sam mentions Ana in a note, keyboard only
    await sam.getByRole('button', { name: 'Private note' }).click();
    const box = sam.locator('#composer-input');
    await box.focus();
    await sam.keyboard.type('@');
    const list = sam.getByRole('listbox', { name: 'Colleagues to mention' });
    await list.waitFor();
    expect(await list.getByRole('option').allInnerTexts()).toEqual([expect.stringContaining('Ana Ortiz'), expect.stringContaining('Demo Admin')]);
    expect(await box.getAttribute('role')).toBe('combobox');
    const first = await box.getAttribute('aria-activedescendant');
    await sam.keyboard.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).not.toBe(first);
    expect(await list.locator('[aria-selected=true]').innerText()).toContain('Demo Admin');
    await sam.keyboard.press('Escape'); // closes the list, keeps the text
    await expect.poll(() => list.count()).toBe(0);
    expect(await box.inputValue()).toBe('@');
    await sam.keyboard.press('Backspace');
    await sam.keyboard.type('Could @an');
    await expect.poll(() => list.getByRole('option').allInnerTexts()).toEqual([expect.stringContaining('@ana')]);
    await look(sam, 'console-mention-autocomplete');
    await sam.keyboard.press('Enter'); // chooses Ana, does not send
    expect(await box.inputValue()).toBe('Could @ana ');
    await sam.keyboard.type('check the amount?');
    await sam.keyboard.press('Enter'); // sends the note
    await sam.locator('.msg', { hasText: 'Could @ana check the amount?' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => ana.locator('.toast').textContent(), { timeout: 10_000 }).toContain('Sam Lee mentioned you in a note.');
    const anaMentions = await ana.evaluate(async () => (await (await fetch('/api/mentions?unread=true')).json()) as { unread: number; items: Array<{ by: { name: string } }> });
    expect(anaMentions.unread).toBe(1);
    expect(anaMentions.items[0]!.by.name).toBe('Sam Lee');
    await ana.screenshot({ path: join(SHOTS, 'console-mention-notified.png') });

    // ---- Sam applies the macro: reply sent, label on, assigned to him, resolved, at once
    await sam.locator('#macro').selectOption({ label: 'Refund sent' });
    await sam.locator('#apply-macro').click();
    await expect.poll(() => frame.locator('body').innerText(), { timeout: 10_000 }).toContain('Hi Rita Refund, your refund is on its way.');
    await expect.poll(() => sam.locator('.pane-sub .pill').first().innerText(), { timeout: 10_000 }).toBe('Resolved');
    expect(await sam.locator('.label-chip').allInnerTexts()).toEqual([expect.stringContaining('VIP')]);
    expect(await sam.locator('.pane-sub').innerText()).toContain('Assigned to you');
    await expect.poll(() => sam.locator('.toast').textContent()).toContain('Macro “Refund sent” applied.');
    expect(await frame.locator('body').innerText()).not.toContain('VIP'); // never shown to the shopper
    await sam.screenshot({ path: join(SHOTS, 'console-macro-applied.png') });

    // ---- the admin adds a label (Admin › Labels) and a macro: Sam's console, open all along, has
    // them in the label picker, the filter and the macro menu at once, without a reload.
    await sam.evaluate(() => ((window as unknown as { neverReloaded: boolean }).neverReloaded = true));
    await me.getByRole('link', { name: 'Labels' }).click();
    await me.locator('#label-new').click();
    await me.locator('#label-name').fill('Loyal customer');
    await me.locator('#label-save').click();
    await expect.poll(() => me.locator('#labels-table').innerText()).toContain('Loyal customer');
    await admin.post('/api/macros', { name: 'Thanks', actions: [{ type: 'reply', body: 'Thank you!' }] });
    await expect.poll(() => sam.locator('#add-label option').allInnerTexts(), { timeout: 10_000 }).toContain('Loyal customer');
    expect(await sam.locator('#filter-label option').allInnerTexts()).toContain('Loyal customer');
    await expect.poll(() => sam.locator('#macro option').allInnerTexts(), { timeout: 10_000 }).toEqual([expect.any(String), 'Refund sent', 'Thanks']);
    expect(await sam.evaluate(() => (window as unknown as { neverReloaded?: boolean }).neverReloaded)).toBe(true);

    expect(findings).toEqual([]);
    expect(errors).toEqual([]);
  });
});
