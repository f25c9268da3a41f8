/**
 * Issue 19 item 5 in Chromium on the built server: the tenant's page says where the shopper is
 * (Parley.push(['page', name, attributes, signed]), the page's own script; the loader reads nothing),
 * the frame passes it on, and the agent sees it in the visitor panel, signed values marked verified,
 * in English and French; a signed attribute routes the chat to the team whose rule names it.
 * Screenshots: docs/screenshots/console-{en,fr}-page-context.png.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { signIdentityJwt } from '../server/security/visitorIdentity.js';
import { adminApi, axe, consoleSignIn, openChat, ROOT, serverAndChromium, type RunningServer } from './harness.js';

describe('tenant page context in the visitor panel', () => {
  let server: RunningServer;
  let browser: Browser;
  serverAndChromium('parley-e2e-pagectx-', (s, b) => {
    server = s;
    browser = b;
  });

  it('shows what the page said, verified only when signed, and routes on the signed attribute', async () => {
    const errors: string[] = [];
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    const { identitySecret } = (await admin.post('/api/contact-settings', { rotateIdentitySecret: true })) as { identitySecret: string };
    const team = { strategy: 'least_busy', timeZone: 'UTC', weeklyHours: null, holidays: [], notifyEmail: null, memberIds: [admin.agentId] };
    await admin.post('/api/teams', { ...team, name: 'General', isDefault: true });
    const vip = (await admin.post('/api/teams', { ...team, name: 'VIP', routingRules: [{ attribute: 'plan', value: 'gold', verifiedOnly: true }] })) as { id: string };

    // The agent is online (a console open), so the widget offers a live chat.
    const cctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const c = await cctx.newPage();
    c.on('pageerror', (e) => errors.push(e.message));
    await consoleSignIn(c, server.url, server.admin!.email, server.admin!.password);

    const shopCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await shopCtx.newPage();
    shop.on('pageerror', (e) => errors.push(e.message));
    await shop.goto(server.demoUrl + '/checkout');
    // The page's own script (here: the test acting as it): a plain attribute, and the plan signed by its backend.
    const signed = signIdentityJwt(identitySecret, { attributes: { plan: 'gold' }, exp: Math.floor(Date.now() / 1000) + 600 });
    await shop.evaluate((jwt) => (window as unknown as { Parley: { push(a: unknown[]): void } }).Parley.push(['page', 'checkout', { cart: '3 items', coupon: 'SPRING' }, jwt]), signed);
    const frame = await openChat(shop);
    await frame.locator('#pc-name').fill('Pia Page');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await frame.locator('#parley-message').fill('Is express shipping available?');
    await frame.locator('#parley-message').press('Enter');
    // The shopper moves on in a single-page shop: the page says so, the chat passes it on.
    await shop.evaluate((jwt) => (window as unknown as { Parley: { push(a: unknown[]): void } }).Parley.push(['page', 'shipping', { cart: '3 items', coupon: 'SPRING' }, jwt]), signed);

    await c.getByRole('tab', { name: /^All/ }).click();
    const row = c.locator('.conv-item', { hasText: 'Pia Page' });
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    const card = c.locator('#page-context');
    await card.getByText('shipping', { exact: true }).waitFor({ timeout: 10_000 });
    const items = card.locator('.page-attributes li');
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(3);
    const text = (await items.allInnerTexts()).join('\n');
    expect(text).toMatch(/plan\s+gold\s+Verified/);
    expect(text).toMatch(/cart\s+3 items\s+Unverified/);
    expect(await card.locator('.page-context-value').innerText()).toMatch(/shipping\s+Unverified/);
    // Routed by the signed plan to the VIP team.
    const conv = (await admin.get('/api/conversations?view=all')) as { items: Array<{ visitor: { name: string | null }; team?: { id: string } | null }> };
    expect(conv.items.find((x) => x.visitor.name === 'Pia Page')?.team?.id).toBe(vip.id);
    await card.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'console-en-page-context.png') });
    expect(await axe(c, 'console')).toEqual([]);
    // The team editor's routing rules (Admin › Teams), axe-clean too.
    await c.goto(server.url + '/console/#admin/teams');
    await c.getByRole('button', { name: /VIP/ }).first().click();
    const rules = c.locator('#team-rules');
    expect(await rules.locator('.rule-attribute').inputValue()).toBe('plan');
    expect(await rules.locator('.rule-verified').isChecked()).toBe(true);
    expect(await axe(c, 'console')).toEqual([]);
    await c.goto(server.url + '/console/');

    // French: the same card in the console's other language.
    await c.evaluate(() => localStorage.setItem('parley.console.lang', 'fr'));
    await c.reload();
    await c.locator('.topbar').waitFor();
    await c.getByRole('tab', { name: /^Toutes/ }).click();
    await c.locator('.conv-item', { hasText: 'Pia Page' }).click();
    await c.locator('#page-context').getByText('Contexte de la page').waitFor({ timeout: 10_000 });
    expect((await c.locator('#page-context .page-attributes').innerText())).toMatch(/plan\s+gold\s+Vérifié/);
    await c.locator('#page-context').screenshot({ path: join(ROOT, 'docs', 'screenshots', 'console-fr-page-context.png') });
    expect(await axe(c, 'console')).toEqual([]);
    await c.goto(server.url + '/console/#admin/teams');
    await c.getByRole('button', { name: /VIP/ }).first().click();
    await c.locator('#team-rules').getByText('Router ici quand la page indique').waitFor();
    expect(await axe(c, 'console')).toEqual([]);
    await c.locator('#team-rules').screenshot({ path: join(ROOT, 'docs', 'screenshots', 'console-fr-routing-rules.png') });
    expect(errors).toEqual([]);
  });
});
