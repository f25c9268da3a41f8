/**
 * PCI DSS evidence (issue 16, item 4): the 11.6.1 page monitor in Chromium (CLI and the node's
 * scheduled job) and the 6.4.3 evidence pack API. A merchant page embeds the loader with SRI; then
 * a skimmer script is added, the integrity attribute is altered, the CSP header is changed: each is
 * found, and the job raises a `page.changed` incident for the tenant.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../server/cli/main.js';
import { signedFixture, FIXTURE_FILES, type Fixture } from '../server/security/releaseFixture.js';
import { sri384 } from '../server/security/release.js';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, type TestParley } from '../server/testing/testParley.js';
import { parseTlogProof } from '../server/security/tlog/checkpoint.js';

describe('PCI DSS evidence: page monitor and evidence pack', () => {
  let f: Fixture;
  let t: TestParley;
  let shop: Server;
  let pageUrl: string;
  let dir: string;
  const page = { extraScript: '', integrity: '', csp: "script-src 'self' http://localhost:*" };
  let loaderUrl = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-monitor-'));
    f = signedFixture();
    shop = createServer((req, res) => {
      if (req.url === '/skim.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end('/* skimmer */');
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.csp })
        .end(`<!doctype html><title>Checkout</title><form><input name=card></form>\n<script src="${loaderUrl}" integrity="${page.integrity}" crossorigin="anonymous"></script>${page.extraScript}`);
    });
    await new Promise<void>((r) => shop.listen(0, '127.0.0.1', () => r()));
    pageUrl = `http://127.0.0.1:${(shop.address() as { port: number }).port}/checkout`;
    t = await startTestParley({ listen: true, env: { PUBLIC_DIR: f.publicDir, RELEASE_PUBLIC_KEY: f.trusted.publicKey, PAGE_MONITOR: `shop ${pageUrl}` } });
    const snippet = (await t.app.inject({ url: '/tlog/releases/loader' })).body.trim();
    loaderUrl = t.url + snippet;
    page.integrity = sri384(FIXTURE_FILES['widget/loader.js']!);
  });
  afterAll(async () => {
    await cleanupTestParley(t);
    shop.close();
    rmSync(f.root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    await dropSchemas();
  });

  const monitor = async (state: string) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const code = await runCli(['monitor', '--page', pageUrl, '--url', t.url, '--public-key', f.trusted.publicKey, '--state', state]);
      return { code, out: log.mock.calls.map((c) => c.join(' ')).join('\n') };
    } finally {
      log.mockRestore();
    }
  };

  it('parley monitor: clean page → baseline; a skimmer script, a wrong integrity attribute, a changed CSP → exit 2 naming each', async () => {
    const state = join(dir, 'cli-baseline.json');
    const clean = await monitor(state);
    expect(clean.out).toContain('baseline recorded');
    expect(clean.code).toBe(0);
    expect((await monitor(state)).code).toBe(0);

    page.extraScript = `<script src="/skim.js"></script>`;
    const skim = await monitor(state);
    expect(skim.code).toBe(2);
    expect(skim.out).toMatch(/script_added: a script not in the baseline: http:\/\/127\.0\.0\.1:\d+\/skim\.js/);
    page.extraScript = '';

    const good = page.integrity;
    page.integrity = 'sha384-' + Buffer.alloc(48, 7).toString('base64');
    const wrong = await monitor(state);
    expect(wrong.code).toBe(2);
    expect(wrong.out).toMatch(/loader_integrity: integrity attribute sha384-/);
    page.integrity = good;

    page.csp = "script-src * 'unsafe-inline'";
    const csp = await monitor(state);
    expect(csp.code).toBe(2);
    expect(csp.out).toMatch(/header_changed: content-security-policy/);
    page.csp = "script-src 'self' http://localhost:*";
    expect((await monitor(state)).code).toBe(0);
  }, 120_000);

  it('the scheduled job raises a page.changed incident for the tenant within one pass of the change', async () => {
    const tenant = await makeTenant(t, { slug: 'shop' });
    await t.pageMonitor.tick(); // baseline
    expect(await t.ctx.storage.db.selectFrom('incidents').selectAll().where('kind', '=', 'page.changed').execute()).toHaveLength(0);
    page.extraScript = `<script src="/skim.js"></script>`;
    await t.pageMonitor.tick();
    page.extraScript = '';
    const incidents = await t.ctx.storage.db.selectFrom('incidents').selectAll().where('kind', '=', 'page.changed').execute();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.tenant_id).toBe(tenant.id);
    expect(incidents[0]!.summary).toMatch(/skim\.js/);
  }, 120_000);

  it('GET /api/admin/evidence: the 6.4.3 inventory entry with proofs for every release, own tenant only, admins only', async () => {
    const shopTenant = await t.ctx.storage.db.selectFrom('tenants').selectAll().where('slug', '=', 'shop').executeTakeFirstOrThrow();
    const admin = await makeAgent(t, shopTenant, 'admin');
    const other = await makeTenant(t);
    const otherAdmin = await makeAgent(t, other, 'admin');
    const agent = await makeAgent(t, shopTenant, 'agent');
    const res = await t.app.inject({ url: '/api/admin/evidence', headers: (await login(t, admin)).headers });
    expect(res.statusCode).toBe(200);
    const pack = res.json();
    expect(pack.inventory.script).toMatchObject({ url: loaderUrl, integrity: page.integrity });
    expect(pack.inventory.authorisedBy).toEqual([{ name: admin.name, email: admin.email, role: 'admin' }]);
    expect(pack.releaseLog.releases).toHaveLength(1);
    expect(parseTlogProof(pack.releaseLog.releases[0].tlogProof).checkpoint).toBe(pack.releaseLog.checkpoint);
    expect(pack.monitoring.scheduled).toEqual([{ page: pageUrl, everyMs: t.ctx.env.pageMonitorMs }]);
    expect(pack.monitoring.lastChecks[0]).toMatchObject({ page: pageUrl });
    const theirs = (await t.app.inject({ url: '/api/admin/evidence', headers: (await login(t, otherAdmin)).headers })).json();
    expect(theirs.tenant.id).toBe(other.id);
    expect(theirs.monitoring).toMatchObject({ scheduled: [], lastChecks: [] });
    expect(JSON.stringify(theirs)).not.toContain(admin.email);
    expect((await t.app.inject({ url: '/api/admin/evidence', headers: (await login(t, agent)).headers })).statusCode).toBe(403);
  });
});
