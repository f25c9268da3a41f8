/**
 * The admin area in Chromium: invite an agent and accept the invitation, turn on two-factor and sign
 * in with a code, change widget settings with the live preview, see the embed snippet, create an API
 * key and use it, add a webhook and read its delivery log, look at analytics, create a tenant as
 * platform operator. Screenshots go to e2e/screenshots/admin-*.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { launchChromium, ROOT, SHOTS, startServer, type RunningServer } from './harness.js';
import { totpCode } from '../server/security/totp.js';

describe('admin area in Chromium', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  let receiver: Server;
  let receiverUrl: string;
  let received = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-admin-'));
    // The receiver is on loopback: allow-listed, as a self-hoster with an internal receiver would.
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort(), env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' } });
    browser = await launchChromium();
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/parley`;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function signIn(page: Page, email: string, password: string, code?: () => string) {
    await page.goto(server.url + '/console/');
    await page.locator('input[type=email]').fill(email);
    await page.locator('input[type=password]').fill(password);
    await page.locator('form.login-card button[type=submit]').click();
    if (code) {
      await page.locator('#login-totp').waitFor();
      await page.screenshot({ path: join(SHOTS, 'admin-login-totp.png') });
      await page.locator('#login-totp').fill(code());
      await page.locator('form.login-card button[type=submit]').click();
    }
    await page.locator('.topbar').waitFor({ timeout: 10_000 });
  }
  const secretText = (page: Page) => page.locator('.adm-once .adm-secret').innerText();

  it('runs the admin flows end to end', async () => {
    expect(server.admin, server.output()).not.toBeNull();
    const { email, password } = server.admin!;
    // The demo admin becomes platform operator through the CLI, as an installer would.
    execFileSync(process.execPath, ['bin/parley.js', 'operator:grant', '--email', email], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' } });

    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // 401s are expected (the sign-in check before logging in, the login that asks for a code).
    page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && errors.push(m.text()));
    await signIn(page, email, password);
    await page.locator('#open-admin').click();

    // --- agents and invitations
    await page.locator('#agents-table').waitFor();
    await page.locator('#invite-email').fill('nia@example.com');
    await page.locator('#invite-role').selectOption('supervisor');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const inviteUrl = await secretText(page);
    // No SMTP server in this run: the admin is told the email did not go, and gets the link.
    expect(await page.locator('#invite-mailed').innerText()).toContain('could not be sent');
    expect(inviteUrl).toMatch(/\/console\/#invite=/);
    await page.screenshot({ path: join(SHOTS, 'admin-agents.png') });

    const invitee = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const ip = await invitee.newPage();
    await ip.goto(inviteUrl);
    await ip.locator('#invite-name').fill('Nia Supervisor');
    await ip.locator('#invite-password').fill('a very long password 42');
    await ip.screenshot({ path: join(SHOTS, 'admin-accept-invite.png') });
    await ip.getByRole('button', { name: 'Create my account' }).click();
    // Good news looks like good news (a status, not an error).
    await expect.poll(() => ip.locator('.form-ok[role=status]').innerText().catch(() => '')).toContain('Your account is ready');
    expect(await ip.locator('.form-error').count()).toBe(0);
    await signIn(ip, 'nia@example.com', 'a very long password 42');
    await expect.poll(() => ip.locator('#open-admin').innerText()).toBe('Analytics');
    await invitee.close();

    // --- two-factor for the admin, then sign in with a code
    await page.goto(server.url + '/console/#admin/security');
    await page.locator('#totp-start').click();
    const secret = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
    // A QR code of the otpauth URI, drawn in the page (no image fetched from anywhere).
    const qr = page.getByRole('img', { name: 'QR code of your two-factor secret' });
    expect(await qr.evaluate((svg) => svg.tagName.toLowerCase())).toBe('svg');
    expect((await qr.boundingBox())!.width).toBeGreaterThan(100);
    await page.locator('#totp-code').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.locator('text=Current code, to turn it off').waitFor();
    await page.locator('#sessions-table').waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-security.png'), fullPage: true });
    await page.getByRole('button', { name: 'Log out' }).click();
    await signIn(page, email, password, () => totpCode(secret, Date.now() + 30_000));

    // --- widget settings with live preview
    await page.goto(server.url + '/console/#admin/widget');
    await page.locator('#w-color').fill('#0f766e');
    await page.locator('#w-greeting').fill('Hello! Ask us about sizes, delivery or returns.');
    await page.locator('#w-greeting-fr').fill('Bonjour ! Tailles, livraison, retours : demandez-nous.');
    await page.locator('#w-greeting-en').fill('');
    await page.locator('input[name=position][value=left]').check();
    await page.locator('#w-origins').fill('https://shop.example/checkout');
    await expect.poll(() => page.locator('.form-error').first().innerText()).toMatch(/only scheme/);
    const demoOrigin = new URL(server.demoUrl).origin;
    await page.locator('#w-origins').fill(`${demoOrigin}\nhttps://shop.example`);
    await expect.poll(() => page.locator('#widget-preview .adm-pv-head').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)');
    expect(await page.locator('#widget-preview').getAttribute('class')).toContain('adm-pv-left');
    await page.locator('#w-save').click();
    await page.locator('text=Saved.').waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-widget.png'), fullPage: true });
    const config = await (await fetch(`${server.url}/api/widget/config?key=${await widgetKey()}`)).json();
    expect(config).toMatchObject({ brandColor: '#0f766e', position: 'left', greeting: 'Hello! Ask us about sizes, delivery or returns.', greetings: { fr: 'Bonjour ! Tailles, livraison, retours : demandez-nous.' } });
    expect(config.greetings.en).toBeUndefined();

    // --- embed snippet with integrity
    await page.goto(server.url + '/console/#admin/embed');
    await expect.poll(() => page.locator('#embed-integrity').innerText()).toMatch(/^sha384-/);
    expect(await page.locator('#embed-snippet').innerText()).toContain('integrity="sha384-');
    // One place for the snippet: with it, the Content-Security-Policy for the tenant's pages.
    await page.locator('.csp-panel, #csp-policy, .csp-destinations').first().waitFor();

    // --- API key: created, shown once, works as Bearer
    await page.goto(server.url + '/console/#admin/api-keys');
    await page.locator('#key-name').fill('Data warehouse');
    await page.locator('input[value="reports:read"]').check();
    await page.locator('#key-create').click();
    const key = await secretText(page);
    expect(key).toMatch(/^pk_/);
    await page.screenshot({ path: join(SHOTS, 'admin-api-key-created.png') });
    const viaKey = await fetch(`${server.url}/api/reports`, { headers: { authorization: `Bearer ${key}` } });
    expect(viaKey.status).toBe(200);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await page.reload();
    await expect.poll(() => page.locator('#keys-table').innerText()).toContain('Data warehouse');
    expect(await page.locator('#keys-table').innerText()).not.toContain(key);
    await page.screenshot({ path: join(SHOTS, 'admin-api-keys.png') });

    // --- webhook: created, a real event delivered, shown in the log, replayed
    await page.goto(server.url + '/console/#admin/webhooks');
    await page.locator('#hook-url').fill(receiverUrl);
    await page.locator('#hook-create').click();
    expect(await secretText(page)).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    // An event: the admin resolves nothing yet, so post as a visitor through the widget API and socket-free REST.
    await produceEvent();
    await expect.poll(() => received, { timeout: 15_000 }).toBeGreaterThan(0);
    await page.locator('#deliveries-table').waitFor();
    await expect.poll(async () => (await page.getByRole('button', { name: 'Refresh' }).click(), await page.locator('#deliveries-table').innerText()), { timeout: 10_000 }).toContain('delivered');
    await page.locator('#deliveries-table').getByRole('button', { name: 'Replay' }).first().click();
    await expect.poll(async () => (await page.getByRole('button', { name: 'Refresh' }).click(), await page.locator('#deliveries-table tbody tr').count()), { timeout: 10_000 }).toBeGreaterThan(1);
    await page.screenshot({ path: join(SHOTS, 'admin-webhooks.png'), fullPage: true });

    // --- analytics
    await page.goto(server.url + '/console/#admin/analytics');
    await page.locator('#analytics-cards').waitFor();
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await expect.poll(() => page.locator('#analytics-cards').innerText()).toMatch(/Conversations\s*1\b/i);
    // Counted in a chosen zone (the teams', the browser's, UTC), not only UTC.
    expect(await page.locator('#analytics-zone option').allInnerTexts()).toContain('UTC');
    await page.locator('#analytics-zone').selectOption('UTC');
    await expect.poll(() => page.locator('#analytics-cards').innerText()).toMatch(/Conversations\s*1\b/i);
    await page.screenshot({ path: join(SHOTS, 'admin-analytics.png'), fullPage: true });

    // --- platform operator: tenants
    await page.goto(server.url + '/console/#admin/tenants');
    await page.locator('#tenant-name').fill('Acme Travel');
    await page.locator('#tenant-slug').fill('acme-travel');
    await page.locator('#tenant-origins').fill('https://acme.example');
    await page.locator('#tenant-adminEmail').fill('boss@acme.example');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    expect(await secretText(page)).toMatch(/#invite=/);
    await expect.poll(() => page.locator('#tenants-table').innerText()).toContain('acme-travel');
    await page.screenshot({ path: join(SHOTS, 'admin-tenants.png'), fullPage: true });

    expect(errors).toEqual([]);
    await ctx.close();

    async function widgetKey(): Promise<string> {
      const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
      return me.tenant.widgetKey as string;
    }
    async function produceEvent(): Promise<void> {
      // A visitor writes through the REST-free widget path: session + agent reply via the console API.
      const session = await (await fetch(`${server.url}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: await widgetKey(), name: 'Eve' }) })).json();
      const { default: WebSocket } = await import('ws');
      const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws/visitor', { headers: { origin: server.url } });
      await new Promise<void>((resolve, reject) => {
        ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token: session.token })));
        ws.on('message', (data) => {
          const f = JSON.parse(String(data));
          if (f.type === 'ready') ws.send(JSON.stringify({ type: 'message.send', clientId: 'e2e-1', body: 'Is my parcel on its way?' }));
          if (f.type === 'ack') {
            ws.close();
            resolve();
          }
          if (f.type === 'error') reject(new Error(JSON.stringify(f)));
        });
        ws.on('error', reject);
      });
    }
  });
});
