import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, visitorSession, type TestParley } from '../../testing/testParley.js';
import { openVisitors } from '../../security/sealedFields.js';
import type { Tenant } from '../../storage/schema.js';

describe('widget API', () => {
  let t: TestParley;
  let tenant: Tenant;
  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t, { allowedOrigins: ['https://shop.example', 'https://www.shop.example'] });
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('serves the tenant’s public widget configuration', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/widget/config?key=${tenant.widget_key}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      tenantName: tenant.name,
      brandColor: '#2563eb',
      position: 'right',
      greeting: tenant.greeting,
      greetings: { fr: 'Bonjour ! Comment pouvons-nous vous aider ?' },
      agentsOnline: false,
      language: 'auto',
      prechatFields: [
        { field: 'name', required: false },
        { field: 'email', required: false },
      ],
      redactionPatterns: [],
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/widget/config?key=wk_unknown' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/widget/config' })).statusCode).toBe(400);
  });

  it('includes the admin’s widget language, pre-chat fields and the tenant’s redaction patterns', async () => {
    const admin = await login(t, await makeAgent(t, tenant, 'admin'));
    const settings = await t.app.inject({
      method: 'PATCH',
      url: '/api/admin/settings',
      headers: admin.headers,
      payload: { language: 'fr', prechatFields: [{ field: 'orderNumber', required: true }, { field: 'email', required: false }] },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const privacy = await t.app.inject({ method: 'PUT', url: '/api/admin/privacy', headers: admin.headers, payload: { redactionPatterns: ['ORD-\\d{6}', 'secret-[a-z]+'] } });
    expect(privacy.statusCode, privacy.body).toBe(200);
    const config = (await t.app.inject({ method: 'GET', url: `/api/widget/config?key=${tenant.widget_key}` })).json();
    expect(config.language).toBe('fr');
    expect(config.prechatFields).toEqual([
      { field: 'orderNumber', required: true },
      { field: 'email', required: false },
    ]);
    expect(config.redactionPatterns).toEqual(['ORD-\\d{6}', 'secret-[a-z]+']);
    // Another tenant's config carries none of it.
    const other = await makeTenant(t);
    const otherConfig = (await t.app.inject({ method: 'GET', url: `/api/widget/config?key=${other.widget_key}` })).json();
    expect(otherConfig.redactionPatterns).toEqual([]);
    expect(otherConfig.language).toBe('auto');
  });

  it('resumes a visitor from its token, and ignores forged or foreign tokens', async () => {
    const first = await visitorSession(t, tenant, { name: 'Lin', email: 'lin@example.com', page: 'https://shop.example/p/1' });
    const again = await visitorSession(t, tenant, { token: first.token });
    expect(again.visitorId).toBe(first.visitorId);
    const row = await t.ctx.storage.db.selectFrom('visitors').selectAll().where('id', '=', first.visitorId).executeTakeFirstOrThrow();
    // Stored sealed (encryption at rest); the tenant's key opens it.
    expect(JSON.stringify(row)).not.toMatch(/Lin|lin@example|shop\.example/);
    const [opened] = await openVisitors(t.ctx.keyring, [row]);
    expect(opened).toMatchObject({ name: 'Lin', email: 'lin@example.com', current_page: 'https://shop.example/p/1' });

    const forged = await visitorSession(t, tenant, { token: first.token.slice(0, -2) + 'xx' });
    expect(forged.visitorId).not.toBe(first.visitorId);
    const other = await makeTenant(t);
    const foreign = await visitorSession(t, other, { token: first.token });
    expect(foreign.visitorId).not.toBe(first.visitorId);
  });

  it('rejects bad session bodies without creating visitors', async () => {
    const count = async () => Number((await t.ctx.storage.db.selectFrom('visitors').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const bad: Array<[object, number]> = [
      [{}, 400],
      [{ key: tenant.widget_key, email: 'not an email' }, 400],
      [{ key: tenant.widget_key, name: 'x'.repeat(101) }, 400],
      [{ key: tenant.widget_key, visitorId: 'vis_123' }, 400],
      [{ key: 'wk_nope' }, 404],
    ];
    for (const [payload, status] of bad) {
      const res = await t.app.inject({ method: 'POST', url: '/api/widget/session', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json().error.message.length).toBeGreaterThan(5);
    }
    expect(await count()).toBe(0);
  });

  it('lets only the tenant’s registered origins frame the widget', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/widget/frame/?key=${tenant.widget_key}&host=${encodeURIComponent('https://shop.example')}` });
    // Without a build the page itself is missing, but the security headers decide before that.
    if (res.statusCode === 200) {
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain('frame-ancestors https://shop.example https://www.shop.example');
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.body).not.toMatch(/<script>(?!<\/script>)/);
    } else {
      expect(res.statusCode).toBe(404);
    }
    const foreign = await t.app.inject({ method: 'GET', url: `/widget/frame/?key=${tenant.widget_key}&host=${encodeURIComponent('https://evil.example')}` });
    expect(foreign.statusCode).toBe(403);
    // Every answer denies the frame the powerful features, whatever the loader's allow list says.
    const unknown = await t.app.inject({ method: 'GET', url: `/widget/frame/?key=wk_nope&host=${encodeURIComponent('https://shop.example')}` });
    const malformed = await t.app.inject({ method: 'GET', url: `/widget/frame/?key=${tenant.widget_key}` });
    expect(malformed.statusCode).toBe(400);
    for (const r of [res, foreign, unknown, malformed]) {
      const policy = String(r.headers['permissions-policy']).split(', ');
      for (const f of ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'display-capture', 'fullscreen', 'storage-access', 'browsing-topics', 'picture-in-picture', 'sync-xhr', 'clipboard-read', 'clipboard-write'])
        expect(policy, `${r.statusCode} ${f}`).toContain(`${f}=()`);
      expect(policy.every((p) => /^[a-z-]+=\(\)$/.test(p))).toBe(true);
      // No redirect, and none of the frame's own requests carries a Referer.
      expect([200, 400, 403, 404]).toContain(r.statusCode);
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
  });
});
