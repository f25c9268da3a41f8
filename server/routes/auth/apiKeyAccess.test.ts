/**
 * API keys work wherever the console session works for tenant data (issue 18), each route with its
 * scope, never across tenants; an agent's own account stays session-only and says why; and a key
 * never does more than its creator's current role allows (issue 17 item 11).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeApiKey, makeTenant, startTestParley, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import type { Agent, Tenant } from '../../storage/schema.js';

type Call = [method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>];

describe('API keys on every tenant route', () => {
  let t: TestParley;
  let tenant: Tenant;
  let admin: Agent;
  let s: LoggedIn;
  beforeEach(async () => {
    t = await startTestParley();
    tenant = await makeTenant(t);
    admin = await makeAgent(t, tenant, 'admin');
    s = await login(t, admin);
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const createKey = (scopes: string[], who: LoggedIn = s) => makeApiKey(t, who, scopes);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const call = (token: string, [method, url, payload]: Call) => t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  /** A conversation with a visitor, as the widget's "leave a message" makes one. */
  const conversationOf = async (of: Tenant) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/widget/offline-message', payload: { key: of.widget_key, name: 'Ann', email: 'ann@example.com', body: 'Where is my order?' } });
    expect(res.statusCode, res.body).toBe(201);
    const { conversationId } = res.json() as { conversationId: string };
    const conv = await t.ctx.storage.db.selectFrom('conversations').select(['visitor_id']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    return { conversationId, visitorId: conv.visitor_id };
  };

  /** Every route that used to answer a key with 401 "Log in first", with the scope it now needs. */
  const tenantRoutes = (c: { conversationId: string; visitorId: string }, other: Agent): Array<{ call: Call; scope: string }> => [
    { call: ['GET', '/api/admin/exposure?from=2000-01-01T00:00:00Z'], scope: 'admin' },
    { call: ['GET', '/api/admin/exposure?from=2000-01-01T00:00:00Z&format=csv'], scope: 'admin' },
    { call: ['GET', `/api/visitors/${c.visitorId}/export`], scope: 'admin' },
    { call: ['GET', '/api/admin/privacy'], scope: 'admin' },
    { call: ['PUT', '/api/admin/privacy', { retentionDays: 30 }], scope: 'admin' },
    { call: ['GET', '/api/tenant/embed'], scope: 'content:read' },
    { call: ['GET', '/api/presence'], scope: 'agents:read' },
    { call: ['PUT', `/api/presence/${other.id}`, { maxChats: 3 }], scope: 'admin' },
    { call: ['GET', '/api/contact-settings'], scope: 'content:read' },
    { call: ['POST', '/api/contact-settings', { botEnabled: false }], scope: 'admin' },
    { call: ['GET', `/api/conversations/${c.conversationId}/context`], scope: 'conversations:read' },
    { call: ['POST', `/api/conversations/${c.conversationId}/transfer`, { agentId: other.id }], scope: 'conversations:write' },
    { call: ['GET', '/api/incidents'], scope: '' },
    { call: ['GET', '/api/tenant/csp'], scope: 'admin' },
    { call: ['GET', '/api/csp/destinations'], scope: 'admin' },
    { call: ['GET', '/api/csp/reports'], scope: 'admin' },
    { call: ['GET', '/api/auth/me'], scope: '' },
  ];

  it('answers an admin key on every route the console session reaches, and refuses a key without the scope', async () => {
    const other = await makeAgent(t, tenant, 'agent');
    const c = await conversationOf(tenant);
    const adminKey = await createKey(['admin']);
    // A key with every scope but the one a route needs; routes open to any key have no such key.
    const allBut = async (scope: string) => createKey(['conversations:read', 'conversations:write', 'visitors:read', 'agents:read', 'reports:read', 'content:read', 'content:write'].filter((x) => x !== scope));
    for (const { call: route, scope } of tenantRoutes(c, other)) {
      const res = await call(adminKey, route);
      expect(res.statusCode, `${route[0]} ${route[1]}: ${res.body}`).toBeLessThan(300);
      if (scope === '') continue;
      const denied = await call(await allBut(scope), route);
      expect(denied.statusCode, `${route[0]} ${route[1]} without ${scope}`).toBe(403);
      expect(denied.json().error.message).toContain(scope);
    }
    // The key reads its own tenant's data: the visitor export names the conversation.
    const exported = await call(adminKey, ['GET', `/api/visitors/${c.visitorId}/export`]);
    expect(JSON.stringify(exported.json())).toContain(c.conversationId);
    const me = (await call(adminKey, ['GET', '/api/auth/me'])).json() as { agent: { id: string }; apiKey: { scopes: string[] }; csrfToken: string };
    expect(me.agent.id).toBe(admin.id);
    expect(me.apiKey.scopes).toContain('admin');
    expect(me.csrfToken).toBe('');
    // Reads by a key are in the access audit under the key, not under its creator's session.
    const entries = await t.ctx.storage.db.selectFrom('audit_log').select(['actor_kind', 'action']).where('action', '=', 'visitor.export').execute();
    expect(entries.map((e) => e.actor_kind)).toContain('api_key');
  });

  it('never lets a key of one tenant read or change another tenant', async () => {
    const other = await makeAgent(t, tenant, 'agent');
    const c = await conversationOf(tenant);
    const tenantB = await makeTenant(t);
    const adminB = await makeAgent(t, tenantB, 'admin');
    const keyB = await createKey(['admin'], await login(t, adminB));
    for (const route of [
      ['GET', `/api/visitors/${c.visitorId}/export`],
      ['GET', `/api/conversations/${c.conversationId}/context`],
      ['POST', `/api/conversations/${c.conversationId}/transfer`, { agentId: other.id }],
      ['PUT', `/api/presence/${other.id}`, { maxChats: 9 }],
      ['DELETE', `/api/visitors/${c.visitorId}`],
    ] as Call[]) {
      const res = await call(keyB, route);
      expect(res.statusCode, `${route[0]} ${route[1]}: ${res.body}`).toBe(404);
    }
    // Lists answer the key's own tenant only.
    const presence = (await call(keyB, ['GET', '/api/presence'])).json() as { items: Array<{ id: string }> };
    expect(presence.items.map((a) => a.id)).toEqual([adminB.id]);
    const exposure = JSON.stringify((await call(keyB, ['GET', '/api/admin/exposure?from=2000-01-01T00:00:00Z'])).json());
    expect(exposure).not.toContain(c.conversationId);
    expect(exposure).not.toContain(c.visitorId);
    expect((await t.ctx.storage.db.selectFrom('visitors').select('id').where('id', '=', c.visitorId).execute()).length).toBe(1);
  });

  it('keeps an agent\'s own account session-only and says why to a key', async () => {
    const key = await createKey(['admin']);
    for (const route of [
      ['GET', '/api/auth/totp'],
      ['POST', '/api/auth/totp/setup'],
      ['POST', '/api/auth/totp/disable', { code: '123456' }],
      ['POST', '/api/auth/logout'],
      ['POST', '/api/presence', { status: 'away' }],
    ] as Call[]) {
      const res = await call(key, route);
      expect(res.statusCode, `${route[0]} ${route[1]}`).toBe(403);
      expect(res.json().error.message).toMatch(/needs the console session: API keys cannot/);
    }
  });

  it('gives a demoted admin\'s admin key no admin power: it cannot list keys or re-promote anyone (issue 17 item 11)', async () => {
    const second = await makeAgent(t, tenant, 'admin');
    const key = await createKey(['admin']);
    expect((await call(key, ['GET', '/api/admin/api-keys'])).statusCode).toBe(200);
    const demote = await t.app.inject({ method: 'PATCH', url: `/api/admin/agents/${admin.id}`, headers: (await login(t, second)).headers, payload: { role: 'agent' } });
    expect(demote.statusCode, demote.body).toBe(200);

    const list = await call(key, ['GET', '/api/admin/api-keys']);
    expect(list.statusCode).toBe(403);
    const promote = await t.app.inject({ method: 'PATCH', url: `/api/admin/agents/${admin.id}`, headers: bearer(key), payload: { role: 'admin' } });
    expect(promote.statusCode).toBe(403);
    const row = await t.ctx.storage.db.selectFrom('agents').select('role').where('id', '=', admin.id).executeTakeFirstOrThrow();
    expect(row.role).toBe('agent');
    // Checked on every request, both ways: what an agent may do still works, and a later promotion restores it.
    expect((await call(key, ['GET', '/api/conversations'])).statusCode).toBe(200);
    expect((await call(key, ['GET', '/api/admin/exposure?from=2000-01-01T00:00:00Z'])).statusCode).toBe(403);
    expect((await call(key, ['GET', '/api/reports'])).statusCode).toBe(403);
    const me = (await call(key, ['GET', '/api/auth/me'])).json() as { apiKey: { scopes: string[] } };
    expect(me.apiKey.scopes).not.toContain('admin');
    await t.app.inject({ method: 'PATCH', url: `/api/admin/agents/${admin.id}`, headers: (await login(t, second)).headers, payload: { role: 'admin' } });
    expect((await call(key, ['GET', '/api/admin/api-keys'])).statusCode).toBe(200);
  });
});
