/**
 * Single sign-on in Chromium against a real OpenID provider (oidc-provider in this process): the
 * admin sets SSO up in the admin area, then an agent who has never been in Parley signs in with
 * "Sign in with SSO" by work email, goes through the provider's sign-in page, and lands in the
 * inbox, provisioned with the role the mapping gives. A refused sign-in comes back to the login page
 * with the console's own sentence. Screenshots: e2e/screenshots/sso-*.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { startTestIdp, type TestIdp } from '../server/testing/oidcTestProvider.js';
import { launchChromium, SHOTS, startServer, type RunningServer } from './harness.js';

describe('single sign-on in Chromium', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  let idp: TestIdp;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-sso-'));
    idp = await startTestIdp();
    server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort(), env: { SSO_ALLOW_HTTP_LOOPBACK: 'true' } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an admin sets SSO up, then a new agent signs in through the provider and lands in the inbox', async () => {
    expect(server.admin, server.output()).not.toBeNull();
    const errors: string[] = [];
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !/status of (401|403|404)/.test(m.text()) && errors.push(m.text()));

    await page.goto(server.url + '/console/');
    await page.locator('input[type=email]').fill(server.admin!.email);
    await page.locator('input[type=password]').fill(server.admin!.password);
    await page.locator('form.login-card button[type=submit]').click();
    await page.locator('.topbar').waitFor({ timeout: 10_000 });

    await page.goto(server.url + '/console/#admin/sso');
    await page.locator('#sso-form').waitFor();
    const redirectUri = await page.locator('#sso-redirect').innerText();
    expect(redirectUri).toMatch(new RegExp(`^${server.url}/api/auth/sso/[a-z0-9-]+/callback$`));
    idp.addClient({ clientId: 'parley-console', clientSecret: 'e2e-secret-value-123', redirectUris: [redirectUri] });
    idp.accounts.set('dana', { sub: 'dana', email: 'dana@corp.example', email_verified: true, name: 'Dana From Idp', groups: ['support-leads'] });
    idp.accounts.set('eve', { sub: 'eve', email: 'eve@corp.example', email_verified: false, name: 'Eve', groups: ['support-leads'] });

    await page.locator('#sso-enabled').check();
    await page.locator('#sso-issuer').fill(idp.issuer);
    await page.locator('#sso-client-id').fill('parley-console');
    await page.locator('#sso-client-secret').fill('e2e-secret-value-123');
    await page.locator('#sso-domains').fill('corp.example');
    await page.locator('#sso-map-admin').fill('support-admins');
    await page.locator('#sso-map-supervisor').fill('support-leads');
    await page.locator('#sso-map-agent').fill('support');
    await page.locator('#sso-save').click();
    await expect.poll(() => page.locator('#sso-save ~ [role=status]').innerText()).toContain('Saved');
    expect(await page.locator('#sso-secret-state').innerText()).toMatch(/secret is stored/);
    expect(await page.locator('#sso-client-secret').inputValue()).toBe('');
    expect(await page.content()).not.toContain('e2e-secret-value-123');
    // A SCIM token for the provider, shown once.
    await page.locator('#scim-create').click();
    await expect.poll(() => page.locator('.adm-once .adm-secret').innerText()).toMatch(/^scim_[A-Za-z0-9_-]{40,}$/);
    // The admin area scrolls inside its main panel: a tall viewport shows the whole form.
    await page.setViewportSize({ width: 1280, height: 1250 });
    await page.locator('#admin-main').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'sso-admin-settings.png') });
    await ctx.close();

    // A new browser: the agent has never signed in to Parley.
    const agentCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const agentPage = await agentCtx.newPage();
    agentPage.on('pageerror', (e) => errors.push(e.message));
    await agentPage.goto(server.url + '/console/');
    await agentPage.locator('#sso-open').click();
    await agentPage.locator('#sso-q').fill('dana@corp.example');
    await agentPage.screenshot({ path: join(SHOTS, 'sso-login-page.png'), fullPage: true });
    await agentPage.locator('#sso-continue').click();
    // The provider's own sign-in page.
    await agentPage.locator('#idp-login').waitFor({ timeout: 10_000 });
    expect(agentPage.url().startsWith(idp.issuer)).toBe(true);
    await agentPage.locator('#idp-login').fill('dana');
    await agentPage.locator('#idp-submit').click();
    await agentPage.locator('.topbar').waitFor({ timeout: 15_000 });
    expect(new URL(agentPage.url()).pathname).toBe('/console/');
    const me = await agentPage.evaluate(async () => (await fetch('/api/auth/me')).json());
    expect(me.agent).toMatchObject({ email: 'dana@corp.example', name: 'Dana From Idp', role: 'supervisor' });
    await agentPage.screenshot({ path: join(SHOTS, 'sso-signed-in.png') });
    await agentCtx.close();

    // An unverified email is refused, and the login page says why in its own words.
    const eveCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const evePage = await eveCtx.newPage();
    await evePage.goto(server.url + '/console/');
    await evePage.locator('#sso-open').click();
    await evePage.locator('#sso-q').fill('eve@corp.example');
    await evePage.locator('#sso-q').press('Enter');
    await evePage.locator('#idp-login').waitFor({ timeout: 10_000 });
    await evePage.locator('#idp-login').fill('eve');
    await evePage.locator('#idp-submit').click();
    await evePage.locator('#sso-error').waitFor({ timeout: 15_000 });
    expect(await evePage.locator('#sso-error').innerText()).toContain('did not confirm your email');
    expect(evePage.url()).not.toContain('sso_error');
    await evePage.screenshot({ path: join(SHOTS, 'sso-login-refused.png'), fullPage: true });
    await eveCtx.close();
    expect(errors).toEqual([]);
  });
});
