import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TEST_PASSWORD, visitorSession, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import type { Agent, Tenant } from '../../storage/schema.js';
import { totpCode } from '../../security/totp.js';
import { verifyAudit } from '../../security/auditLog.js';
import { newId } from '../../security/ids.js';
import { randomBytes } from 'node:crypto';
import { API_KEY_FAILURES } from '../auth/requireAuth.js';

describe('admin area and developer API', () => {
  let t: TestParley;
  let tenant: Tenant;
  let admin: Agent;
  let s: LoggedIn;
  beforeEach(async () => {
    t = await startTestParley({ env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' } }); // webhook receivers on loopback
    tenant = await makeTenant(t);
    admin = await makeAgent(t, tenant, 'admin');
    s = await login(t, admin);
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const audit = (action: string) => t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
  const createKey = async (scopes: string[], who: LoggedIn = s) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/api-keys', headers: who.headers, payload: { name: 'CRM sync', scopes } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { apiKey: { id: string; prefix: string; scopes: string[] }; token: string };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('serves teams, canned responses and articles over the API with content scopes, documented in OpenAPI', async () => {
    const { token: reader } = await createKey(['content:read']);
    const { token: writer } = await createKey(['content:read', 'content:write']);
    const article = { title: 'Returns', body: 'You can return any item within 30 days.' };
    const denied = await t.app.inject({ method: 'POST', url: '/api/kb/articles', headers: bearer(reader), payload: article });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('content:write');
    const created = await t.app.inject({ method: 'POST', url: '/api/kb/articles', headers: bearer(writer), payload: article });
    expect(created.statusCode, created.body).toBe(201);
    for (const path of ['/api/kb/articles', '/api/teams', '/api/canned-responses']) {
      const res = await t.app.inject({ method: 'GET', url: path, headers: bearer(reader) });
      expect(res.statusCode, path).toBe(200);
      expect(Array.isArray(res.json().items)).toBe(true);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/kb/articles', headers: bearer(reader) })).json().items).toHaveLength(1);
    const { token: other } = await createKey(['conversations:read']);
    expect((await t.app.inject({ method: 'GET', url: '/api/teams', headers: bearer(other) })).statusCode).toBe(403);
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    for (const path of ['/api/teams', '/api/teams/{id}', '/api/kb/articles', '/api/canned-responses']) expect(spec.paths, path).toHaveProperty([path]);
  });

  it('creates API keys shown once and stored hashed, usable as Bearer without CSRF, scoped and revocable', async () => {
    const { apiKey, token } = await createKey(['conversations:read', 'visitors:read']);
    expect(token).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(apiKey.prefix)).toBe(true);
    const row = await t.ctx.storage.db.selectFrom('api_keys').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.last_used_at).toBeNull();

    const list = await t.app.inject({ method: 'GET', url: '/api/conversations', headers: bearer(token) });
    expect(list.statusCode).toBe(200);
    expect((await t.ctx.storage.db.selectFrom('api_keys').select('last_used_at').executeTakeFirstOrThrow()).last_used_at).toBeGreaterThan(0);
    // Missing scope: 403 naming it; writing needs conversations:write.
    const write = await t.app.inject({ method: 'POST', url: '/api/conversations/conv_x/resolve', headers: bearer(token) });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.message).toContain('conversations:write');
    expect((await t.app.inject({ method: 'GET', url: '/api/reports', headers: bearer(token) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/api-keys', headers: bearer(token) })).statusCode).toBe(403);
    // A key never shows again.
    const keys = await t.app.inject({ method: 'GET', url: '/api/admin/api-keys', headers: s.headers });
    expect(keys.body).not.toContain(token);
    expect(keys.json().items[0]).toMatchObject({ id: apiKey.id, name: 'CRM sync', lastUsedAt: expect.any(String), revokedAt: null, createdBy: { id: admin.id } });

    const revoked = await t.app.inject({ method: 'POST', url: `/api/admin/api-keys/${apiKey.id}/revoke`, headers: s.headers });
    expect(revoked.json().revokedAt).toEqual(expect.any(String));
    const after = await t.app.inject({ method: 'GET', url: '/api/conversations', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    for (const bad of ['Bearer nope', 'Basic abc', `Bearer pk_${'A'.repeat(43)}`]) {
      const r = await t.app.inject({ method: 'GET', url: '/api/conversations', headers: { authorization: bad } });
      expect(r.statusCode).toBe(401);
      expect(r.json().error.code).toBe('unauthorized');
    }
    expect(await audit('api_key.created')).toHaveLength(1);
    const [rev] = await audit('api_key.revoked');
    expect(rev).toMatchObject({ actor_kind: 'agent', actor_id: admin.id, credential: expect.stringMatching(/^session:[0-9a-f]{16}$/), tenant_id: tenant.id });
    expect((await verifyAudit(t.ctx.storage.db)).problems).toEqual([]);
  });

  it('limits failed API-key attempts per address: 429 once over the limit, even with a valid key', async () => {
    const { token } = await createKey(['conversations:read']);
    const from = (remoteAddress: string, authorization: string) => t.app.inject({ method: 'GET', url: '/api/conversations', remoteAddress, headers: { authorization } });
    const guess = () => `Bearer pk_${randomBytes(32).toString('base64url').slice(0, 43)}`;
    // Failures are counted across every API route (one limiter per app), malformed headers included.
    for (let i = 0; i < API_KEY_FAILURES.perAddress; i++) {
      const r = i % 2 ? await from('203.0.113.7', guess()) : await t.app.inject({ method: 'GET', url: '/api/reports', remoteAddress: '203.0.113.7', headers: { authorization: 'Bearer nope' } });
      expect(r.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const blocked = await from('203.0.113.7', guess());
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('rate_limited');
    // The right key does not get through from that address either (no oracle while blocked)…
    expect((await from('203.0.113.7', `Bearer ${token}`)).statusCode).toBe(429);
    // …but works from another address, whose own failures are counted separately.
    expect((await from('198.51.100.9', `Bearer ${token}`)).statusCode).toBe(200);
    expect((await from('198.51.100.9', guess())).statusCode).toBe(401);
    // Successful calls are not counted: a busy integration is never limited.
    for (let i = 0; i < API_KEY_FAILURES.perAddress + 5; i++) expect((await from('192.0.2.1', `Bearer ${token}`)).statusCode).toBe(200);
    // Sessions (cookies) are not affected by the API-key limiter.
    expect((await t.app.inject({ method: 'GET', url: '/api/conversations', remoteAddress: '203.0.113.7', headers: s.headers })).statusCode).toBe(200);
  });

  it('lets a key act with conversations:write, and records its credential in the audit log', async () => {
    const { token, apiKey } = await createKey(['conversations:read', 'conversations:write']);
    const v = await visitorSession(t, tenant, { name: 'Ada' });
    const conv = newId('conv');
    await t.ctx.storage.db.insertInto('conversations').values({ id: conv, tenant_id: tenant.id, visitor_id: v.visitorId, status: 'open', assignee_id: null, created_at: 1, updated_at: 1, resolved_at: null }).execute();
    const res = await t.app.inject({ method: 'POST', url: `/api/conversations/${conv}/resolve`, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('resolved');
    const entries = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('credential', '=', `key:${apiKey.id}`).execute();
    expect(entries.length).toBeGreaterThan(0);
    expect(entries[0]!.actor_kind).toBe('api_key');
  });

  it('never lets a key or an admin reach another tenant', async () => {
    const other = await makeTenant(t);
    const otherAdmin = await makeAgent(t, other, 'admin');
    const o = await login(t, otherAdmin);
    const { token } = await createKey(['admin']);
    const v = await visitorSession(t, other, { name: 'Foreign' });
    expect((await t.app.inject({ method: 'GET', url: `/api/visitors/${v.visitorId}`, headers: bearer(token) })).statusCode).toBe(404);
    const visitors = await t.app.inject({ method: 'GET', url: '/api/visitors', headers: bearer(token) });
    expect(visitors.json().items).toEqual([]);
    const otherKey = await createKey(['admin'], o);
    for (const [method, url] of [
      ['POST', `/api/admin/api-keys/${otherKey.apiKey.id}/revoke`],
      ['PATCH', `/api/admin/agents/${otherAdmin.id}`],
      ['POST', `/api/admin/agents/${otherAdmin.id}/totp/reset`],
    ] as const) {
      const r = await t.app.inject({ method, url, headers: s.headers, payload: method === 'PATCH' ? { role: 'agent' } : undefined });
      expect(r.statusCode, url).toBe(404);
    }
    const agents = await t.app.inject({ method: 'GET', url: '/api/admin/agents', headers: s.headers });
    expect(agents.json().items.map((a: { id: string }) => a.id)).toEqual([admin.id]);
  });

  it('refuses the admin area to agents and supervisors', async () => {
    const agent = await login(t, await makeAgent(t, tenant, 'agent'));
    const sup = await login(t, await makeAgent(t, tenant, 'supervisor'));
    for (const who of [agent, sup]) {
      const r = await t.app.inject({ method: 'POST', url: '/api/admin/api-keys', headers: who.headers, payload: { name: 'x', scopes: ['admin'] } });
      expect(r.statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/reports', headers: agent.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/reports', headers: sup.headers })).statusCode).toBe(200);
    // Session changes still need the CSRF header.
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/admin/api-keys', headers: { cookie: s.cookie }, payload: { name: 'x', scopes: ['admin'] } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('csrf_failed');
  });

  it('pages every list with the same cursor scheme', async () => {
    const { token } = await createKey(['visitors:read']);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await visitorSession(t, tenant)).visitorId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/visitors?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await t.app.inject({ method: 'GET', url, headers: bearer(token) });
      expect(page.statusCode).toBe(200);
      const body = page.json() as { items: Array<{ id: string }>; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((x) => x.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(ids);
    const bad = await t.app.inject({ method: 'GET', url: '/api/visitors?cursor=nope', headers: bearer(token) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    const big = await t.app.inject({ method: 'GET', url: '/api/visitors?limit=1000', headers: bearer(token) });
    expect(big.statusCode).toBe(400);
  });

  it('invites an agent with a one-time link; accepting sets name and password', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/invitations', headers: s.headers, payload: { email: 'New.Agent@Example.com', role: 'supervisor' } });
    expect(res.statusCode, res.body).toBe(201);
    const { url, token, invitation } = res.json();
    expect(url).toBe(`${t.url}/console/#invite=${token}`);
    expect(invitation).toMatchObject({ email: 'new.agent@example.com', role: 'supervisor', acceptedAt: null });
    const info = await t.app.inject({ method: 'GET', url: `/api/invitations?token=${token}` });
    expect(info.json()).toMatchObject({ email: 'new.agent@example.com', tenantName: tenant.name, role: 'supervisor' });
    const weak = await t.app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token, name: 'Nia', password: 'short' } });
    expect(weak.statusCode).toBe(400);
    const ok = await t.app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token, name: 'Nia', password: TEST_PASSWORD } });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ email: 'new.agent@example.com', role: 'supervisor', tenantId: tenant.id, name: 'Nia' });
    const again = await t.app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token, name: 'Eve', password: TEST_PASSWORD } });
    expect(again.statusCode).toBe(404);
    const signIn = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'new.agent@example.com', password: TEST_PASSWORD } });
    expect(signIn.statusCode).toBe(200);
    expect(await audit('invitation.created')).toHaveLength(1);
    expect(await audit('invitation.accepted')).toHaveLength(1);
    // Revoked invitations do not work.
    const second = (await t.app.inject({ method: 'POST', url: '/api/admin/invitations', headers: s.headers, payload: { email: 'x@example.com', role: 'agent' } })).json();
    await t.app.inject({ method: 'POST', url: `/api/admin/invitations/${second.invitation.id}/revoke`, headers: s.headers });
    expect((await t.app.inject({ method: 'GET', url: `/api/invitations?token=${second.token}` })).statusCode).toBe(404);
  });

  it('changes roles and disables agents, keeping one admin and signing the disabled out', async () => {
    const other = await makeAgent(t, tenant, 'agent');
    const o = await login(t, other);
    const promoted = await t.app.inject({ method: 'PATCH', url: `/api/admin/agents/${other.id}`, headers: s.headers, payload: { role: 'supervisor' } });
    expect(promoted.json()).toMatchObject({ role: 'supervisor', disabled: false });
    const lastAdmin = await t.app.inject({ method: 'PATCH', url: `/api/admin/agents/${admin.id}`, headers: s.headers, payload: { role: 'agent' } });
    expect(lastAdmin.statusCode).toBe(409);
    const disabled = await t.app.inject({ method: 'PATCH', url: `/api/admin/agents/${other.id}`, headers: s.headers, payload: { disabled: true } });
    expect(disabled.json().disabled).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: o.headers })).statusCode).toBe(401);
    expect(await audit('agent.updated')).toHaveLength(2);
  });

  it('lists sessions and revokes one', async () => {
    const other = await makeAgent(t, tenant, 'agent');
    const o = await login(t, other);
    const list = await t.app.inject({ method: 'GET', url: '/api/admin/sessions', headers: s.headers });
    const items = list.json().items as Array<{ id: string; agent: { id: string }; current: boolean }>;
    expect(items).toHaveLength(2);
    expect(items.find((x) => x.agent.id === admin.id)!.current).toBe(true);
    const target = items.find((x) => x.agent.id === other.id)!;
    expect(target.id).toMatch(/^[0-9a-f]{16}$/);
    const rev = await t.app.inject({ method: 'POST', url: `/api/admin/sessions/${target.id}/revoke`, headers: s.headers });
    expect(rev.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: o.headers })).statusCode).toBe(401);
    const [entry] = await audit('session.revoked');
    expect(entry!.resource_id).toBe(target.id);
  });

  it('updates widget settings and validates allowed origins', async () => {
    const get = await t.app.inject({ method: 'GET', url: '/api/admin/settings', headers: s.headers });
    expect(get.json()).toMatchObject({ language: 'auto', requireTotp: false, allowedOrigins: ['https://shop.example'] });
    for (const bad of ['https://shop.example/checkout', 'https://*.shop.example', 'ftp://shop.example', 'shop.example', 'https://u:p@shop.example', 'https://shop.example?x=1']) {
      const r = await t.app.inject({ method: 'PATCH', url: '/api/admin/settings', headers: s.headers, payload: { allowedOrigins: [bad] } });
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().error.code).toBe('validation_failed');
    }
    const badColor = await t.app.inject({ method: 'PATCH', url: '/api/admin/settings', headers: s.headers, payload: { brandColor: 'red' } });
    expect(badColor.statusCode).toBe(400);
    const patch = {
      brandColor: '#0F766E',
      position: 'left',
      greeting: 'Bonjour !',
      language: 'fr',
      prechatFields: [{ field: 'name', required: true }, { field: 'orderNumber', required: false }],
      allowedOrigins: ['https://Shop.Example:443/', 'http://localhost:8080'],
    };
    const ok = await t.app.inject({ method: 'PATCH', url: '/api/admin/settings', headers: s.headers, payload: patch });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ ...patch, brandColor: '#0f766e', allowedOrigins: ['https://shop.example', 'http://localhost:8080'] });
    const config = await t.app.inject({ method: 'GET', url: `/api/widget/config?key=${tenant.widget_key}` });
    expect(config.json()).toMatchObject({ brandColor: '#0f766e', position: 'left', greeting: 'Bonjour !' });
    expect(await audit('tenant.settings_updated')).toHaveLength(1);
  });

  it('keeps a greeting per language: set, replaced one language at a time, removed with an empty text; bad input changes nothing', async () => {
    const patchSettings = (payload: object) => t.app.inject({ method: 'PATCH', url: '/api/admin/settings', headers: s.headers, payload });
    const widgetConfig = async () => (await t.app.inject({ method: 'GET', url: `/api/widget/config?key=${tenant.widget_key}` })).json();
    // A tenant created without a greeting greets in each language the widget speaks.
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/settings', headers: s.headers })).json()).toMatchObject({
      greeting: 'Hi! How can we help you today?',
      greetings: { fr: 'Bonjour ! Comment pouvons-nous vous aider ?' },
    });
    const set = await patchSettings({ greeting: 'Hello there', greetings: { en: '  Hello, shopper  ', fr: 'Bonjour, client' } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ greeting: 'Hello there', greetings: { en: 'Hello, shopper', fr: 'Bonjour, client' } });
    // One language changed, the other kept; an empty text removes that language's greeting.
    expect((await patchSettings({ greetings: { fr: 'Salut' } })).json().greetings).toEqual({ en: 'Hello, shopper', fr: 'Salut' });
    expect((await patchSettings({ greetings: { en: ' ' } })).json().greetings).toEqual({ fr: 'Salut' });
    expect(await widgetConfig()).toMatchObject({ greeting: 'Hello there', greetings: { fr: 'Salut' } });
    // Unknown languages, too long a text, a non-string: refused, nothing changed.
    for (const bad of [{ de: 'Hallo' }, { fr: 'x'.repeat(301) }, { fr: 3 }, ['fr', 'x']]) {
      const r = await patchSettings({ greeting: 'Changed?', greetings: bad });
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      expect(r.json().error.code).toBe('validation_failed');
    }
    expect(await widgetConfig()).toMatchObject({ greeting: 'Hello there', greetings: { fr: 'Salut' } });
    // Another tenant's greetings are its own.
    const other = await makeTenant(t);
    expect((await t.app.inject({ method: 'GET', url: `/api/widget/config?key=${other.widget_key}` })).json()).toMatchObject({
      greeting: 'Hi! How can we help you today?',
      greetings: { fr: 'Bonjour ! Comment pouvons-nous vous aider ?' },
    });
  });

  it('creates webhooks with a secret shown once, logs deliveries and replays one', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/api/admin/webhooks', headers: s.headers, payload: { url: 'http://example.com/hook', events: ['message.created'] } });
    expect(bad.statusCode).toBe(400);
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/webhooks', headers: s.headers, payload: { url: 'http://127.0.0.1:9/hook', events: ['message.created', 'security.incident'] } });
    expect(res.statusCode, res.body).toBe(201);
    const { webhook, secret } = res.json();
    expect(secret).toMatch(/^whsec_/);
    const list = await t.app.inject({ method: 'GET', url: '/api/admin/webhooks', headers: s.headers });
    expect(list.body).not.toContain(secret);
    const { enqueueWebhookEvent } = await import('../../webhooks/webhookEvents.js');
    await enqueueWebhookEvent(t.ctx.storage.db, tenant.id, 'message.created', { id: 'm1' });
    await t.webhooks.tick(); // port 9 refuses: a failed attempt is logged
    const log = await t.app.inject({ method: 'GET', url: `/api/admin/webhooks/${webhook.id}/deliveries`, headers: s.headers });
    const [d] = log.json().items;
    expect(d).toMatchObject({ eventType: 'message.created', status: 'pending', attempts: 1, lastError: expect.any(String) });
    const replay = await t.app.inject({ method: 'POST', url: `/api/admin/webhook-deliveries/${d.id}/replay`, headers: s.headers });
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toMatchObject({ status: 'pending', attempts: 0, eventType: 'message.created' });
    expect(replay.json().id).not.toBe(d.id);
    // A payload sealed under the tenant's key (conversation data) replays too: it is re-sealed for the new delivery.
    await enqueueWebhookEvent(t.ctx.storage.db, tenant.id, 'message.created', { id: 'm2', body: 'sealed' }, await t.ctx.keyring.dataKey(tenant.id));
    await t.webhooks.tick();
    const sealedLog = await t.app.inject({ method: 'GET', url: `/api/admin/webhooks/${webhook.id}/deliveries`, headers: s.headers });
    const sealed = sealedLog.json().items.find((x: { id: string; attempts: number }) => x.attempts === 1 && x.id !== d.id);
    const sealedReplay = await t.app.inject({ method: 'POST', url: `/api/admin/webhook-deliveries/${sealed.id}/replay`, headers: s.headers });
    expect(sealedReplay.statusCode, sealedReplay.body).toBe(201);
    await t.ctx.storage.db.updateTable('webhook_deliveries').set({ next_attempt_at: 0 }).where('id', '=', sealedReplay.json().id).execute();
    await t.webhooks.tick();
    const after = await t.ctx.storage.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', sealedReplay.json().id).executeTakeFirstOrThrow();
    expect(after.attempts).toBe(1);
    expect(after.last_error).not.toMatch(/decrypt|unavailable|open/i); // reached the (refusing) receiver, not a key failure
    const disabled = await t.app.inject({ method: 'POST', url: `/api/admin/webhooks/${webhook.id}/disable`, headers: s.headers });
    expect(disabled.json().disabledAt).toEqual(expect.any(String));
    expect((await t.app.inject({ method: 'POST', url: `/api/admin/webhook-deliveries/${d.id}/replay`, headers: s.headers })).statusCode).toBe(409);
    for (const [a, n] of [['webhook.created', 1], ['webhook.delivery_replayed', 2], ['webhook.disabled', 1]] as const) expect(await audit(a), a).toHaveLength(n);
  });

  it('lets only platform operators list and create tenants', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/operator/tenants', headers: s.headers })).statusCode).toBe(403);
    await t.ctx.storage.db.insertInto('platform_operators').values({ agent_id: admin.id, created_at: Date.now() }).execute();
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: s.headers });
    expect(me.json().security).toMatchObject({ operator: true, totpEnabled: false });
    const created = await t.app.inject({ method: 'POST', url: '/api/operator/tenants', headers: s.headers, payload: { slug: 'acme', name: 'Acme', allowedOrigins: ['https://acme.example'], adminEmail: 'boss@acme.example' } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().invitationUrl).toMatch(/#invite=/);
    const list = await t.app.inject({ method: 'GET', url: '/api/operator/tenants', headers: s.headers });
    expect(list.json().items.map((x: { slug: string }) => x.slug)).toContain('acme');
    const dup = await t.app.inject({ method: 'POST', url: '/api/operator/tenants', headers: s.headers, payload: { slug: 'acme', name: 'Acme', allowedOrigins: [] } });
    expect(dup.statusCode).toBe(409);
    // API keys never act platform-wide, even with the admin scope.
    const { token } = await createKey(['admin']);
    expect((await t.app.inject({ method: 'GET', url: '/api/operator/tenants', headers: bearer(token) })).statusCode).toBe(403);
    expect(await audit('tenant.created')).toHaveLength(1);
  });

  it('publishes OpenAPI 3.1 from the route schemas and a script-free /docs page', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    for (const p of ['/api/conversations', '/api/conversations/{id}/messages', '/api/visitors', '/api/agents', '/api/reports', '/api/admin/api-keys', '/api/admin/webhooks/{id}/deliveries']) expect(spec.paths, p).toHaveProperty([p]);
    // Bodies are named components (issue 18): the reference resolves to the protocol schema.
    expect(spec.paths['/api/admin/api-keys'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ApiKeyCreateBody' });
    expect(spec.components.schemas.ApiKeyCreateBody.properties.scopes).toBeDefined();
    expect(spec.paths['/api/visitors'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/VisitorList' });
    expect(spec.components.schemas.VisitorList.properties.nextCursor).toBeDefined();
    expect(spec.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).toContain('/api/admin/api-keys');
    expect((await t.app.inject({ method: 'GET', url: '/docs/docs.css' })).headers['content-type']).toMatch(/text\/css/);
  });
});

describe('TOTP two-factor', () => {
  let t: TestParley;
  let tenant: Tenant;
  let agent: Agent;
  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t);
    agent = await makeAgent(t, tenant, 'agent');
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('enrols with a first code, then asks for a code at login and refuses replays', async () => {
    const s = await login(t, agent);
    const setup = await t.app.inject({ method: 'POST', url: '/api/auth/totp/setup', headers: s.headers });
    const { secret, otpauthUri } = setup.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/.+\?secret=[A-Z2-7]+&issuer=/);
    const stored = await t.ctx.storage.db.selectFrom('agent_totp').select('secret').executeTakeFirstOrThrow();
    expect(stored.secret).not.toContain(secret);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: s.headers, payload: { code: '000000' === totpCode(secret) ? '111111' : '000000' } })).statusCode).toBe(400);
    const now = Date.now();
    const code = totpCode(secret, now - 30_000); // previous step: accepted (clock drift)
    const ok = await t.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: s.headers, payload: { code } });
    expect(ok.json()).toEqual({ enabled: true, enrolmentRequired: false });

    const noCode = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: TEST_PASSWORD } });
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error.details).toEqual({ totpRequired: true });
    const current = totpCode(secret);
    const withCode = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: TEST_PASSWORD, totp: current } });
    expect(withCode.statusCode).toBe(200);
    expect(withCode.json().security.totpEnabled).toBe(true);
    const replay = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: TEST_PASSWORD, totp: current } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.message).toMatch(/two-factor/);
    for (const a of ['totp.enrolment_started', 'totp.enabled']) {
      expect(await t.ctx.storage.db.selectFrom('audit_log').select('seq').where('action', '=', a).execute(), a).toHaveLength(1);
    }
  });

  it('enforced per tenant: an agent without two-factor may only enrol until it is on', async () => {
    const adm = await makeAgent(t, tenant, 'admin');
    const a = await login(t, adm);
    const s = await login(t, agent); // before the rule: a normal session
    const early = await t.app.inject({ method: 'PATCH', url: '/api/admin/settings', headers: a.headers, payload: { requireTotp: true } });
    expect(early.statusCode).toBe(409); // the admin must use two-factor first
    const adminSecret = (await t.app.inject({ method: 'POST', url: '/api/auth/totp/setup', headers: a.headers })).json().secret as string;
    await t.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: a.headers, payload: { code: totpCode(adminSecret) } });
    const r = await t.app.inject({ method: 'PATCH', url: '/api/admin/settings', headers: a.headers, payload: { requireTotp: true } });
    expect(r.json().requireTotp).toBe(true);
    const blocked = await t.app.inject({ method: 'GET', url: '/api/conversations', headers: s.headers });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.message).toMatch(/two-factor/);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: s.headers });
    expect(me.json().security).toMatchObject({ totpEnabled: false, totpEnrolmentRequired: true });
    const { secret } = (await t.app.inject({ method: 'POST', url: '/api/auth/totp/setup', headers: s.headers })).json();
    await t.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: s.headers, payload: { code: totpCode(secret) } });
    expect((await t.app.inject({ method: 'GET', url: '/api/conversations', headers: s.headers })).statusCode).toBe(200);
    // The rule forbids turning it off; an admin can reset a lost device.
    const off = await t.app.inject({ method: 'POST', url: '/api/auth/totp/disable', headers: s.headers, payload: { code: totpCode(secret, Date.now() + 30_000) } });
    expect(off.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `/api/admin/agents/${agent.id}/totp/reset`, headers: a.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/conversations', headers: s.headers })).statusCode).toBe(403);
  });
});

describe('webhooks for conversation and message events', () => {
  let t: TestParley;
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('queues message.created (never private notes) and conversation.updated for subscribed hooks', async () => {
    t = await startTestParley({ env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' } });
    const tenant = await makeTenant(t);
    const admin = await makeAgent(t, tenant, 'admin');
    const s = await login(t, admin);
    await t.app.inject({ method: 'POST', url: '/api/admin/webhooks', headers: s.headers, payload: { url: 'http://127.0.0.1:9/h', events: ['*'] } });
    const v = await visitorSession(t, tenant, { name: 'Ada' });
    const conv = newId('conv');
    await t.ctx.storage.db.insertInto('conversations').values({ id: conv, tenant_id: tenant.id, visitor_id: v.visitorId, status: 'open', assignee_id: null, created_at: 1, updated_at: 1, resolved_at: null }).execute();
    await t.app.inject({ method: 'POST', url: `/api/conversations/${conv}/messages`, headers: s.headers, payload: { clientId: 'n1', body: 'secret note', internal: true } });
    await t.app.inject({ method: 'POST', url: `/api/conversations/${conv}/messages`, headers: s.headers, payload: { clientId: 'r1', body: 'Hello Ada' } });
    await t.app.inject({ method: 'POST', url: `/api/conversations/${conv}/resolve`, headers: s.headers });
    await new Promise((r) => setTimeout(r, 50));
    const rows = await t.ctx.storage.db.selectFrom('webhook_deliveries').select(['event_type', 'payload']).orderBy('created_at').execute();
    // conversation.updated twice: the reply gave the conversation to the admin (conversationClaimer.ts), then it was resolved.
    expect(rows.map((r) => r.event_type).sort()).toEqual(['conversation.updated', 'conversation.updated', 'message.created']);
    expect(rows.map((r) => r.payload).join()).not.toContain('secret note');
  });
});
