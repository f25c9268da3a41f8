/**
 * Issue 20 item 1 in Chromium, the agent's side: an agent opens a conversation of a verified shopper
 * and sees the contact card beside it — verified, the user id, the contact's attributes, the
 * contact's other conversations (one opens from there) — and adds a note, shown as plain text with
 * card numbers hidden. Screenshot of the card.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { identityHash } from '../server/security/visitorIdentity.js';
import { adminApi, axe, consoleSignIn, openChat, SHOTS, serverAndChromium, type RunningServer } from './harness.js';

describe('the contact card in the console (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  serverAndChromium('parley-e2e-contact-card-', (s, b) => {
    server = s;
    browser = b;
  });

  it('shows a verified contact with attributes and other conversations beside the open one, and takes a note', async () => {
    const errors: string[] = [];
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    const secret = ((await admin.post('/api/contact-settings', { rotateIdentitySecret: true })) as { identitySecret: string }).identitySecret;
    const consoleCtx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const agent = await consoleCtx.newPage();
    agent.on('pageerror', (e) => errors.push(e.message));
    await consoleSignIn(agent, server.url, server.admin!.email, server.admin!.password);

    // A logged-in shopper writes twice, in two conversations.
    const shopCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await shopCtx.newPage();
    shop.on('pageerror', (e) => errors.push(e.message));
    await shop.goto(server.demoUrl + '/checkout');
    await shop.evaluate((attrs) => {
      const script = document.querySelector('script[data-parley-key]')!;
      for (const [k, v] of Object.entries(attrs)) script.setAttribute(`data-parley-${k}`, v);
    }, { 'user-id': 'cust-card-7', 'user-hash': identityHash(secret, 'cust-card-7') });
    const frame = await openChat(shop);
    const start = frame.getByRole('button', { name: 'Start chat' });
    await start.or(frame.locator('#parley-message')).first().waitFor({ timeout: 15_000 });
    if (await start.isVisible()) {
      await frame.locator('#pc-name').fill('Carla Card');
      await start.click();
    }
    const send = async (text: string) => {
      await frame.locator('#parley-message').fill(text);
      await frame.locator('#parley-message').press('Enter');
      await expect.poll(() => frame.getByRole('log').innerText(), { timeout: 15_000 }).toContain(text);
    };
    await send('Order 77 arrived damaged');
    await frame.getByRole('button', { name: /New conversation/ }).click();
    await send('How do returns work?');

    // The tenant's backend (or an agent) gave the contact attributes.
    const found = (await admin.get('/api/contacts?q=cust-card-7')) as { items: Array<{ id: string }> };
    expect(found.items).toHaveLength(1);
    await admin.patch(`/api/contacts/${found.items[0]!.id}`, { attributes: { plan: 'gold', lifetime_orders: '12' } });

    // The agent opens the second conversation: the card is there.
    await agent.getByRole('tab', { name: /^All/ }).click();
    const row = agent.locator('.conv-item', { hasText: 'How do returns work?' });
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    const card = agent.getByRole('region', { name: 'Contact', exact: true });
    await card.waitFor({ timeout: 10_000 });
    await expect.poll(() => card.innerText(), { timeout: 10_000 }).toContain('Verified shopper');
    const text = await card.innerText();
    expect(text).toContain('cust-card-7');
    expect(text).toMatch(/plan\s*gold/);
    expect(text).toMatch(/lifetime_orders\s*12/);
    // Both conversations of the contact, the other one included.
    const convs = card.locator('.contact-convs li');
    await expect.poll(() => convs.count(), { timeout: 10_000 }).toBe(2);
    expect(await card.locator('.contact-convs').innerText()).toContain('Order 77 arrived damaged');

    // A note: plain text (markup shown as typed), a card number hidden, the author named.
    await card.getByRole('textbox', { name: 'Notes on this contact' }).fill('<b>VIP</b> — refund to 4111 1111 1111 1111 agreed');
    await card.getByRole('button', { name: 'Add note' }).click();
    const note = card.locator('.contact-notes li').first();
    await expect.poll(() => note.innerText().catch(() => ''), { timeout: 10_000 }).toContain('<b>VIP</b>');
    expect(await note.innerText()).toContain('[card •••• 1111]');
    expect(await note.innerText()).not.toContain('4111 1111 1111 1111');
    expect(await card.locator('.contact-notes b').count()).toBe(0);
    expect(await card.getByRole('textbox', { name: 'Notes on this contact' }).inputValue()).toBe('');
    expect(await card.innerText()).not.toContain('No notes yet');
    await card.scrollIntoViewIfNeeded();
    await agent.screenshot({ path: join(SHOTS, 'console-contact-card.png') });
    expect(await axe(agent, 'console with contact card')).toEqual([]);

    // The other conversation opens from the card.
    await card.locator('.contact-convs button', { hasText: 'Order 77 arrived damaged' }).click();
    await expect.poll(() => agent.locator('.conv-item.is-active').innerText(), { timeout: 10_000 }).toContain('Order 77 arrived damaged');
    // The note is the contact's: still there beside the other conversation.
    await expect.poll(() => agent.getByRole('region', { name: 'Contact', exact: true }).innerText(), { timeout: 10_000 }).toContain('<b>VIP</b>');
    expect(errors).toEqual([]);
  });
});
