/**
 * First impressions, in Chromium on the built server with the demo content on (DEMO_CONTENT): every
 * demo shop link resolves and the "try these" box is there; the bot answers from the seeded
 * articles; then every widget and console view, desktop (1366 px) and phone (390 px), in English and
 * in French, is checked with axe-core (no critical or serious violation), for text that overflows its
 * box, and photographed into e2e/screenshots/ (looked at by people, some in the README).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { adminApi, axe, consoleSignIn, launchChromium, openChat, SHOTS, startServer, type AxeFinding, type RunningServer } from './harness.js';

const SIZES = { desktop: { width: 1366, height: 800 }, phone: { width: 390, height: 844 } } as const;
type Size = keyof typeof SIZES;
type Lang = 'en' | 'fr';

type Finding = AxeFinding;

/** Text cut off by its own box (wider content than the box, and the box hides the rest). */
async function clipped(target: Page | Frame, view: string): Promise<string[]> {
  const found = await target.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('button, a, label, h1, h2, h3, .pill, .tab, .segment, .conv-name, .me-name, input, select'))) {
      const s = getComputedStyle(el);
      if (s.display === 'none' || s.visibility === 'hidden' || el.offsetParent === null) continue;
      if (el.closest('.visually-hidden, .sr-only')) continue;
      const hides = s.overflow === 'hidden' || s.overflowX === 'hidden' || s.textOverflow === 'ellipsis';
      // Names may end in an ellipsis by design (long visitor names); labels and buttons may not.
      if (hides && el.scrollWidth > el.clientWidth + 1 && !el.matches('.conv-name, .me-name, input, select, h2#conv-title')) out.push(`${el.tagName.toLowerCase()}.${el.className}: "${(el.textContent ?? '').trim().slice(0, 40)}"`);
    }
    return out;
  });
  return found.map((f) => `${view}: ${f}`);
}

describe('first impressions', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  const findings: Finding[] = [];
  const clips: string[] = [];
  let checked = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-first-'));
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort(), env: { DEMO_CONTENT: '1' } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the demo shop: every link works, the try-these box is there, the bot answers from the articles', async () => {
    const ctx = await browser.newContext({ viewport: SIZES.desktop });
    const page = await ctx.newPage();
    for (const path of ['/demo', '/demo/checkout']) {
      await page.goto(server.demoUrl.replace(/\/demo$/, '') + path);
      await page.getByRole('heading', { name: 'Try these' }).waitFor();
      const hrefs = await page.locator('a[href]').evaluateAll((as: HTMLAnchorElement[]) => as.map((a) => a.href));
      expect(hrefs.length).toBeGreaterThan(1);
      for (const href of new Set(hrefs)) {
        const res = await fetch(href, { redirect: 'follow' });
        expect(res.status, href).toBe(200);
      }
    }
    // The bot is on, with articles.
    const frame = await openChat(page);
    await frame.locator('#pc-name').fill('Demo Visitor');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await frame.locator('#parley-message').fill('How long does shipping take?');
    await frame.locator('#parley-message').press('Enter');
    await expect.poll(() => frame.locator('.group.bot').innerText().catch(() => ''), { timeout: 10_000 }).toContain('ship the same day');
    await ctx.close();
  });

  it('keyboard only: a shopper reaches the chat, Enter lands on Name, chats and closes; an agent answers and resolves', async () => {
    const ctx = await browser.newContext({ viewport: SIZES.desktop });
    const page = await ctx.newPage();
    await page.goto(server.demoUrl + '/checkout');
    await page.locator('parley-chat').waitFor();
    // The launcher is the loader's own button (in a closed shadow root): the page's focus is on its host.
    const onLauncher = () => page.evaluate(() => document.hasFocus() && document.activeElement?.localName === 'parley-chat');
    const tabToLauncher = async () => {
      let tabs = 0;
      while (!(await onLauncher()) && tabs++ < 40) await page.keyboard.press('Tab');
      expect(await onLauncher()).toBe(true);
    };
    const chatFrame = async () => (await (await page.waitForSelector('iframe[title="Chat"]')).contentFrame())!;
    const focused = (f: Frame) => f.evaluate(() => (document.hasFocus() ? (document.activeElement?.id || document.activeElement?.className || '') : ''));
    await tabToLauncher();
    await page.keyboard.press('Enter');
    let frame = await chatFrame();
    await expect.poll(() => focused(frame)).toBe('pc-name');
    await page.keyboard.type('Kim Keys');
    await page.keyboard.press('Tab');
    expect(await focused(frame)).toBe('pc-email');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(frame), { timeout: 10_000 }).toBe('parley-message');
    await page.keyboard.type('I want a human please');
    await page.keyboard.press('Enter');
    await frame.waitForSelector('p.system', { timeout: 10_000 });
    await page.keyboard.press('Escape');
    // Escape closes the chat, gives the focus back to the launcher and removes the frame.
    await expect.poll(onLauncher).toBe(true);
    await expect.poll(() => page.locator('iframe[title="Chat"]').count()).toBe(0);

    const c = await ctx.newPage();
    await c.goto(server.url + '/console/');
    await c.locator('input[type=email]').waitFor();
    await c.keyboard.type(server.admin!.email);
    await c.keyboard.press('Tab');
    await c.keyboard.type(server.admin!.password);
    await c.keyboard.press('Enter');
    await c.locator('.topbar').waitFor({ timeout: 10_000 });
    // Tabs by arrow keys, then into the list, Enter opens; the composer has the focus.
    await c.locator('[role=tab][aria-selected=true]').focus();
    await c.keyboard.press('End');
    await expect.poll(() => c.locator('[role=tab][aria-selected=true]').innerText()).toMatch(/^All/);
    const row = c.locator('.conv-item', { hasText: 'Kim Keys' });
    await row.waitFor({ timeout: 10_000 });
    let n = 0;
    while (!(await row.evaluate((el) => el === document.activeElement)) && n++ < 30) await c.keyboard.press('Tab');
    await c.keyboard.press('Enter');
    await expect.poll(() => c.evaluate(() => document.activeElement?.id)).toBe('composer-input');
    await c.keyboard.type('Hello Kim, Alex here.');
    await c.keyboard.press('Enter');
    // The shopper's chat is closed, so no frame exists to receive it (no unread count without data-parley-keep).
    await c.locator('.msg', { hasText: 'Hello Kim, Alex here.' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('iframe[title="Chat"]').count()).toBe(0);
    // Shift+Tab back to Resolve, Enter.
    n = 0;
    while ((await c.evaluate(() => document.activeElement?.textContent?.trim())) !== 'Resolve' && n++ < 30) await c.keyboard.press('Shift+Tab');
    await c.keyboard.press('Enter');
    await expect.poll(() => c.locator('.pane-sub .pill').first().innerText()).toBe('Resolved');
    // Back on the shop, Enter on the launcher reopens the chat: the reply and the rating are there.
    await page.bringToFront();
    await tabToLauncher();
    await page.keyboard.press('Enter');
    frame = await chatFrame();
    await frame.waitForSelector('.rating', { timeout: 10_000 });
    expect(await frame.locator('.log').innerText()).toContain('Hello Kim, Alex here.');
    await ctx.close();
  });

  for (const lang of ['en', 'fr'] as const) {
    for (const size of ['desktop', 'phone'] as const) {
      it(`widget views are accessible and whole: ${lang}, ${size}`, async () => {
        const ctx = await browser.newContext({ viewport: SIZES[size], locale: lang === 'fr' ? 'fr-FR' : 'en-GB', isMobile: size === 'phone', hasTouch: size === 'phone' });
        await widgetViews(ctx, lang, size);
        await ctx.close();
      });
      it(`console views are accessible and whole: ${lang}, ${size}`, async () => {
        const ctx = await browser.newContext({ viewport: SIZES[size], locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
        await consoleViews(ctx, lang, size);
        await ctx.close();
      });
    }
  }

  it('found no critical or serious axe violation and no clipped text', () => {
    expect(findings).toEqual([]);
    expect(clips).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(100);
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

  async function check(page: Page, target: Page | Frame, view: string) {
    checked++;
    // Colours are checked at rest, not halfway through the window's opening animation.
    // (Finite ones only: a spinner runs forever.)
    await target.evaluate(() =>
      Promise.race([
        Promise.all(
          document
            .getAnimations()
            .filter((a) => a.effect?.getTiming().iterations !== Infinity)
            .map((a) => a.finished.catch(() => undefined)),
        ),
        new Promise((r) => setTimeout(r, 3000)),
      ]),
    );
    findings.push(...(await axe(target, view)));
    clips.push(...(await clipped(target, view)));
    await shot(page, view);
  }

  async function widgetViews(ctx: BrowserContext, lang: Lang, size: Size) {
    const page = await ctx.newPage();
    await page.goto(server.demoUrl + '/checkout');
    await page.locator('parley-chat').waitFor();
    const tag = `widget-${lang}-${size}`;
    // Closed, the widget is the loader's launcher in the shop's page: checked there.
    await check(page, page, `${tag}-launcher`);
    await page.locator('parley-chat').click();
    const frame = (await (await page.waitForSelector('iframe[title="Chat"]')).contentFrame())!;
    await frame.waitForSelector('#pc-name');
    await check(page, frame, `${tag}-prechat`);
    await frame.fill('#pc-name', lang === 'fr' ? 'Camille Dupont' : 'Sam Shopper');
    await frame.click('form.prechat button[type=submit]');
    // The shop's articles are in English: the same question in both languages.
    await frame.fill('#parley-message', 'How long does shipping take?');
    await frame.press('#parley-message', 'Enter');
    await frame.waitForSelector('.group.bot', { timeout: 10_000 });
    await frame.fill('#parley-message', 'my card is 4242 4242 4242 4242');
    await frame.press('#parley-message', 'Enter');
    await frame.waitForSelector('.note', { timeout: 10_000 });
    await check(page, frame, `${tag}-bot`);
    await frame.click('button.talk');
    await frame.waitForSelector('p.system', { timeout: 10_000 });
    await check(page, frame, `${tag}-handoff`);
    // Resolved by an agent: the rating and the transcript.
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    const open = (await admin.get('/api/conversations?status=open&view=all')) as { items: Array<{ id: string; visitor: { name: string | null } }> };
    const mine = open.items.find((c) => c.visitor.name === (lang === 'fr' ? 'Camille Dupont' : 'Sam Shopper'))!;
    await admin.post(`/api/conversations/${mine.id}/resolve`, {});
    await frame.waitForSelector('.rating', { timeout: 10_000 });
    await check(page, frame, `${tag}-rating`);
    await page.close();
  }

  async function consoleViews(ctx: BrowserContext, lang: Lang, size: Size) {
    const page = await ctx.newPage();
    const tag = `console-${lang}-${size}`;
    await page.goto(server.url + '/console/');
    await page.locator('input[type=email]').waitFor();
    await check(page, page, `${tag}-login`);
    await consoleSignIn(page, server.url, server.admin!.email, server.admin!.password);
    await page.getByRole('tab').nth(2).click();
    await page.locator('.sidebar .segment').nth(1).click(); // resolved
    await page.locator('.conv-item').first().waitFor({ timeout: 10_000 });
    await check(page, page, `${tag}-inbox`);
    await page.locator('.conv-item').first().click();
    await page.locator('.msg').first().waitFor({ timeout: 10_000 });
    await check(page, page, `${tag}-conversation`);
    await page.locator('#open-library').click();
    await page.getByRole('dialog').waitFor();
    await check(page, page, `${tag}-library`);
    await page.keyboard.press('Escape');
    await (seeded ??= seedAdminContent());
    for (const section of ['agents', 'teams', 'sla', 'labels', 'macros', 'contact', 'security', 'privacy', 'exposure', 'widget', 'embed', 'api-keys', 'webhooks', 'analytics']) {
      await page.goto(`${server.url}/console/#admin/${section}`);
      await page.locator('.adm-nav').waitFor();
      await page.waitForLoadState('networkidle');
      await check(page, page, `${tag}-admin-${section}`);
      // The editors of service levels, labels and macros, open on the saved item.
      const editor = { sla: '#sla-table', labels: '#labels-table', macros: '#macros-table' }[section as 'sla'];
      if (editor) {
        await page.locator(`${editor} .adm-actions .btn-secondary`).first().click();
        await page.locator('.adm-card form').first().waitFor();
        await check(page, page, `${tag}-admin-${section}-editor`);
      }
    }
    await page.close();
  }

  /** What the service-level, label and macro pages list (the demo content has none): made once, over the API. */
  let seeded: Promise<void> | undefined;
  async function seedAdminContent() {
    const admin = await adminApi(server.url, server.admin!.email, server.admin!.password);
    const team = ((await admin.get('/api/teams')) as { items: Array<{ id: string }> }).items[0]!;
    await admin.post('/api/sla-policies', { name: 'Standard', teamId: team.id, firstResponseMinutes: 15, nextResponseMinutes: 30, resolutionMinutes: 480, businessHours: true });
    const vip = (await admin.post('/api/labels', { name: 'VIP', color: '#7c3aed' })) as { id: string };
    await admin.post('/api/labels', { name: 'Refund' });
    await admin.post('/api/macros', { name: 'Refund sent', actions: [{ type: 'reply', body: 'Hi {{visitor.name}}, your refund is on its way.' }, { type: 'label', labelId: vip.id }, { type: 'priority', priority: 'high' }, { type: 'assign', agentId: 'me' }, { type: 'status', status: 'resolved' }] });
  }
});
