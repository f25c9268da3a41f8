import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import type { Tenant } from '../../storage/schema.js';
import { CSP_LIMITS } from '../../../protocol/csp.js';
import { destinationOf, safeUrl } from '../../security/cspReports.js';

const SHOP = 'https://shop.example';

const reportUri = (blocked: string, extra: Record<string, unknown> = {}) => ({
  'csp-report': {
    'document-uri': `${SHOP}/checkout?session=abc`,
    'blocked-uri': blocked,
    'violated-directive': 'connect-src',
    'effective-directive': 'connect-src',
    'original-policy': "default-src 'self'",
    disposition: 'enforce',
    'status-code': 200,
    ...extra,
  },
});

const reportingApi = (blocked: string, directive = 'connect-src') => [
  {
    type: 'csp-violation',
    age: 10,
    url: `${SHOP}/checkout`,
    user_agent: 'Mozilla/5.0',
    body: { documentURL: `${SHOP}/checkout`, blockedURL: blocked, effectiveDirective: directive, originalPolicy: "default-src 'self'", disposition: 'enforce', statusCode: 200, sourceFile: `${SHOP}/app.js`, lineNumber: 3, columnNumber: 7, sample: '' },
  },
];

describe('CSP reporting for tenants', () => {
  let t: TestParley;
  let tenant: Tenant;
  let admin: LoggedIn;
  let key: string;

  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t, { allowedOrigins: [SHOP] });
    admin = await login(t, await makeAgent(t, tenant, 'admin'));
    const res = await t.app.inject({ url: '/api/tenant/csp', headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(200);
    key = /\/api\/csp\/([A-Za-z0-9_-]+)/.exec(res.json().reportUrl)![1]!;
  });
  afterEach(async () => cleanupTestParley(t));
  afterAll(dropSchemas);

  const post = (body: unknown, type = 'application/csp-report', k = key, ip = '10.0.0.1') =>
    t.app.inject({ method: 'POST', url: `/api/csp/${k}`, headers: { 'content-type': type }, payload: typeof body === 'string' ? body : JSON.stringify(body), remoteAddress: ip });
  const destinations = async (s = admin) => (await t.app.inject({ url: '/api/csp/destinations', headers: { cookie: s.cookie } })).json().items;
  const incidents = () => t.ctx.storage.db.selectFrom('incidents').selectAll().where('kind', '=', 'csp.new_destination').execute();

  it('proposes a policy with Parley\'s loader and frame and both report directives', async () => {
    const res = await t.app.inject({ url: '/api/tenant/csp', headers: { cookie: admin.cookie } });
    const p = res.json();
    expect(p.policy).toContain(`script-src 'self' ${t.url}/widget/v/`);
    expect(p.policy).toContain(`frame-src ${t.url}/widget/frame/`);
    expect(p.policy).toContain(`report-uri ${t.url}/api/csp/${key}`);
    expect(p.policy).toContain('report-to parley-csp');
    expect(p.reportingEndpoints).toBe(`parley-csp="${t.url}/api/csp/${key}"`);
    // Stable per tenant; agents who are not admins may not read it.
    expect((await t.app.inject({ url: '/api/tenant/csp', headers: { cookie: admin.cookie } })).json().reportUrl).toBe(p.reportUrl);
    const agent = await login(t, await makeAgent(t, tenant, 'agent'));
    expect((await t.app.inject({ url: '/api/tenant/csp', headers: { cookie: agent.cookie } })).statusCode).toBe(403);
  });

  it('accepts report-uri reports, groups them by destination and raises one incident per new destination', async () => {
    expect((await post(reportUri('https://evil.example/collect?card=4111111111111111'))).statusCode).toBe(204);
    expect((await post(reportUri('https://evil.example/other'))).statusCode).toBe(204);
    expect((await post(reportUri('inline', { 'effective-directive': 'script-src-elem' }))).statusCode).toBe(204);
    const d = await destinations();
    expect(d).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ destination: 'https://evil.example', reports: 2, directives: ['connect-src'] }),
        expect.objectContaining({ destination: 'inline', reports: 1, directives: ['script-src-elem'] }),
      ]),
    );
    const inc = await incidents();
    expect(inc.map((i) => i.fingerprint).sort()).toEqual([`csp.new_destination:${tenant.id}:https://evil.example`, `csp.new_destination:${tenant.id}:inline`].sort());
    expect(inc.every((i) => i.tenant_id === tenant.id)).toBe(true);
    // Query strings never reach storage: no card number in any stored report.
    const reports = (await t.app.inject({ url: '/api/csp/reports?destination=https%3A%2F%2Fevil.example', headers: { cookie: admin.cookie } })).json().items;
    expect(reports).toHaveLength(2);
    expect(JSON.stringify(reports)).not.toContain('4111');
    expect(reports[0].documentUrl).toBe(`${SHOP}/checkout`);
  });

  it('accepts Reporting API batches (application/reports+json) and ignores other report types', async () => {
    const batch = [...reportingApi('https://skimmer.example/x'), { type: 'deprecation', url: `${SHOP}/`, body: { id: 'x' } }];
    expect((await post(batch, 'application/reports+json')).statusCode).toBe(204);
    expect(await destinations()).toEqual([expect.objectContaining({ destination: 'https://skimmer.example', reports: 1 })]);
    const r = (await t.app.inject({ url: '/api/csp/reports', headers: { cookie: admin.cookie } })).json().items[0];
    expect(r).toMatchObject({ format: 'reporting-api', directive: 'connect-src', sourceFile: `${SHOP}/app.js`, line: 3 });
    const preflight = await t.app.inject({ method: 'OPTIONS', url: `/api/csp/${key}`, headers: { origin: SHOP, 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
  });

  it('rejects malformed, mistyped and oversized reports and stores nothing', async () => {
    const cases = [
      await post('{not json'),
      await post({ 'csp-report': { 'blocked-uri': 'https://x.example' } }),
      await post({ 'csp-report': { 'document-uri': 42 } }),
      await post([{ type: 'csp-violation', url: SHOP, body: { documentURL: `${SHOP}/` } }], 'application/reports+json'),
      await post([], 'application/reports+json'),
      await post(reportUri('https://x.example'), 'text/plain'),
      await post(reportUri('https://x.example/' + 'a'.repeat(CSP_LIMITS.maxBodyBytes))),
      await post(Array.from({ length: CSP_LIMITS.maxBatch + 1 }, () => reportingApi('https://x.example')[0]), 'application/reports+json'),
    ];
    expect(cases.map((c) => c.statusCode)).toEqual([400, 400, 400, 400, 400, 400, 413, 400]);
    for (const c of cases) expect(c.json().error.code).toMatch(/bad_request|validation_failed|payload_too_large/);
    expect(await destinations()).toEqual([]);
  });

  it("refuses reports for documents outside the tenant's origins and unknown keys", async () => {
    const foreign = await post(reportUri('https://x.example', { 'document-uri': 'https://attacker.example/page' }));
    expect(foreign.statusCode).toBe(400);
    expect((await post(reportUri('https://x.example'), 'application/csp-report', 'csp_nope')).statusCode).toBe(404);
    expect(await destinations()).toEqual([]);
  });

  it("keeps tenants apart: one tenant's key feeds only its own view and incidents", async () => {
    const other = await makeTenant(t, { allowedOrigins: ['https://other.example'] });
    const otherAdmin = await login(t, await makeAgent(t, other, 'admin'));
    const otherKey = /\/api\/csp\/(\S+)$/.exec((await t.app.inject({ url: '/api/tenant/csp', headers: { cookie: otherAdmin.cookie } })).json().reportUrl)![1]!;
    expect(otherKey).not.toBe(key);
    // The other tenant's key with this tenant's page: refused (not its origin).
    expect((await post(reportUri('https://evil.example'), 'application/csp-report', otherKey)).statusCode).toBe(400);
    expect((await post(reportUri('https://evil.example'))).statusCode).toBe(204);
    expect(await destinations(otherAdmin)).toEqual([]);
    expect((await t.app.inject({ url: '/api/csp/reports', headers: { cookie: otherAdmin.cookie } })).json().items).toEqual([]);
    const seen = (await t.app.inject({ url: '/api/incidents', headers: { cookie: otherAdmin.cookie } })).json().items;
    expect(seen).toEqual([]);
    // The same destination at the other tenant is new there too.
    const r = await post(reportUri('https://evil.example', { 'document-uri': 'https://other.example/pay' }), 'application/csp-report', otherKey);
    expect(r.statusCode).toBe(204);
    expect((await incidents()).map((i) => i.tenant_id).sort()).toEqual([tenant.id, other.id].sort());
  });

  it('rate-limits per address and per tenant', async () => {
    let last = 0;
    for (let i = 0; i < CSP_LIMITS.perAddressPerMinute; i++) last = (await post(reportUri(`https://d${i % 3}.example`), 'application/csp-report', key, '10.9.9.9')).statusCode;
    expect(last).toBe(204);
    const over = await post(reportUri('https://late.example'), 'application/csp-report', key, '10.9.9.9');
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('rate_limited');
    expect((await destinations()).map((d: { destination: string }) => d.destination)).not.toContain('https://late.example');
    // Another address still gets through until the tenant's own limit.
    expect((await post(reportUri('https://ok.example'), 'application/csp-report', key, '10.9.9.10')).statusCode).toBe(204);
  });
});

describe('CSP report helpers', () => {
  it('reduces URLs to origin and path and redacts card numbers', () => {
    expect(safeUrl('https://a.example/p/4111111111111111?x=1#y')).not.toContain('4111111111111111');
    expect(safeUrl('https://u:p@a.example/p?q')).toBe('https://a.example/p');
    expect(destinationOf('https://a.example:8443/x')).toBe('https://a.example:8443');
    expect(destinationOf('inline')).toBe('inline');
    expect(destinationOf('data:image/png;base64,xx')).toBe('data:');
    expect(destinationOf('<script>')).toBe('unknown');
  });
});
