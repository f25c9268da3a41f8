/**
 * Single sign-on against a real OpenID provider (oidc-provider) running in this process on
 * 127.0.0.1. Every refusal is checked to change nothing: no session, no agent, no link.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TEST_PASSWORD, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import { idpSignIn, startTestIdp, type TestIdp } from '../../testing/oidcTestProvider.js';
import { sealField } from '../../security/sealedFields.js';
import { newTotpSecret, sealTotpSecret, totpCode } from '../../security/totp.js';
import type { SsoSettingsBody } from '../../../protocol/sso.js';
import type { Agent, Tenant } from '../../storage/schema.js';
import { verifyAudit } from '../../security/auditLog.js';
import { KEY_DESTROY_GRACE_MS, maintainKeys } from '../../security/dataLifecycle.js';

const SECRET_A = 'client-secret-of-tenant-a-0123456789';
const SECRET_B = 'client-secret-of-tenant-b-9876543210';

describe('single sign-on (OpenID Connect)', () => {
  let idp: TestIdp;
  let t: TestParley;
  let logs: string[];
  let tenantA: Tenant;
  let tenantB: Tenant;
  let adminA: Agent;
  let adminAIn: LoggedIn;

  beforeAll(async () => {
    idp = await startTestIdp();
  });
  afterAll(async () => {
    await idp.close();
    await dropSchemas();
  });

  beforeEach(async () => {
    logs = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });
    t = await startTestParley({ env: { SSO_ALLOW_HTTP_LOOPBACK: 'true' }, logger: pino({ level: 'debug' }, sink) });
    tenantA = await makeTenant(t);
    tenantB = await makeTenant(t);
    idp.addClient({ clientId: `client-${tenantA.slug}`, clientSecret: SECRET_A, redirectUris: [`${t.url}/api/auth/sso/${tenantA.slug}/callback`] });
    idp.addClient({ clientId: `client-${tenantB.slug}`, clientSecret: SECRET_B, redirectUris: [`${t.url}/api/auth/sso/${tenantB.slug}/callback`] });
    idp.accounts.clear();
    idp.accounts.set('alice', { sub: 'alice', email: 'alice@corp.example', email_verified: true, name: 'Alice Idp', groups: ['support-admins'] });
    idp.accounts.set('unverified', { sub: 'unverified', email: 'mallory@corp.example', email_verified: false, name: 'Mallory', groups: ['support-admins'] });
    idp.accounts.set('outsider', { sub: 'outsider', email: 'eve@elsewhere.example', email_verified: true, name: 'Eve', groups: ['support-admins'] });
    adminA = await makeAgent(t, tenantA, 'admin');
    adminAIn = await login(t, adminA);
  });
  afterEach(() => cleanupTestParley(t));

  const settings = (tenant: Tenant, over: Partial<SsoSettingsBody> = {}): SsoSettingsBody => ({
    enabled: true,
    issuer: idp.issuer,
    clientId: `client-${tenant.slug}`,
    clientSecret: tenant.id === tenantA.id ? SECRET_A : SECRET_B,
    allowedDomains: ['corp.example'],
    roleClaim: 'groups',
    roleMapping: { admin: ['support-admins'], supervisor: ['support-leads'], agent: ['support'] },
    defaultRole: null,
    requireSso: false,
    breakGlassAgentIds: [],
    ...over,
  });
  const putSettings = (who: LoggedIn, body: SsoSettingsBody) => t.app.inject({ method: 'PUT', url: '/api/admin/sso', headers: who.headers, payload: body });

  /** Start → provider sign-in as `sub` → callback, like a browser. */
  async function ssoLogin(tenant: Tenant, sub: string, tamper?: (callback: URL, binding: string) => Promise<{ url: URL; binding?: string }>) {
    const start = await t.app.inject({ method: 'GET', url: `/api/auth/sso/${tenant.slug}/start` });
    expect(start.statusCode, start.body).toBe(302);
    const binding = start.cookies.find((c) => c.name === 'parley_sso')!;
    expect(binding.httpOnly).toBe(true);
    expect(binding.sameSite).toBe('Lax');
    let callback = await idpSignIn(start.headers.location as string, sub);
    let cookie: string | undefined = binding.value;
    if (tamper) ({ url: callback, binding: cookie } = await tamper(callback, binding.value));
    const res = await t.app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies: cookie ? { parley_sso: cookie } : {} });
    return { res, callback, binding: binding.value };
  }
  const ssoError = (res: { statusCode: number; headers: Record<string, unknown> }) => {
    expect(res.statusCode).toBe(303);
    return new URL(String(res.headers.location), t.url).searchParams.get('sso_error');
  };
  const sessionCount = async () => Number((await t.ctx.storage.db.selectFrom('sessions').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const agentByEmail = (email: string) => t.ctx.storage.db.selectFrom('agents').selectAll().where('email', '=', email).executeTakeFirst();
  /** An admin with two-factor on, and how to log in as them. */
  async function withTotp(agent: Agent): Promise<() => string> {
    const secret = newTotpSecret();
    await t.ctx.storage.db.insertInto('agent_totp').values({ agent_id: agent.id, tenant_id: agent.tenant_id, secret: sealTotpSecret(t.ctx.env.secretKey, secret), enabled_at: Date.now(), last_step: 0, created_at: Date.now() }).execute();
    return () => totpCode(secret, Date.now());
  }

  it('signs a new agent in just in time, with the mapped role, the same session cookie and CSRF token as a password login', async () => {
    expect((await putSettings(adminAIn, settings(tenantA))).statusCode).toBe(200);
    const { res } = await ssoLogin(tenantA, 'alice');
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/console/');
    const session = res.cookies.find((c) => c.name === 'parley_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Strict');
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { parley_session: session.value } });
    expect(me.statusCode).toBe(200);
    expect(me.json().agent).toMatchObject({ email: 'alice@corp.example', name: 'Alice Idp', role: 'admin' });
    expect(me.json().tenant.id).toBe(tenantA.id);
    // CSRF applies as for password sessions.
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { parley_session: session.value } });
    expect(noCsrf.statusCode).toBe(403);
    const link = await t.ctx.storage.db.selectFrom('agent_sso_links').selectAll().executeTakeFirstOrThrow();
    expect(link).toMatchObject({ tenant_id: tenantA.id, issuer: idp.issuer, subject: 'alice' });
    const audit = await t.ctx.storage.db.selectFrom('audit_log').select(['action', 'tenant_id']).where('action', 'like', 'sso.%').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['sso.settings_updated', 'sso.agent_provisioned', 'sso.login']));
    expect((await verifyAudit(t.ctx.storage.db)).problems).toEqual([]);
  });

  it('applies the role mapping at every sign-in: a demotion in the IdP applies at the next one', async () => {
    await putSettings(adminAIn, settings(tenantA, { defaultRole: null }));
    await ssoLogin(tenantA, 'alice');
    expect((await agentByEmail('alice@corp.example'))!.role).toBe('admin');
    idp.accounts.get('alice')!.groups = ['support', 'unrelated'];
    expect((await ssoLogin(tenantA, 'alice')).res.headers.location).toBe('/console/');
    expect((await agentByEmail('alice@corp.example'))!.role).toBe('agent');
    // No mapped group and no default role: refused, role unchanged, no session added.
    idp.accounts.get('alice')!.groups = ['unrelated'];
    const before = await sessionCount();
    expect(ssoError((await ssoLogin(tenantA, 'alice')).res)).toBe('no_role');
    expect(await sessionCount()).toBe(before);
    // With a default role, the same user gets it.
    await putSettings(adminAIn, settings(tenantA, { defaultRole: 'supervisor', clientSecret: undefined }));
    await ssoLogin(tenantA, 'alice');
    expect((await agentByEmail('alice@corp.example'))!.role).toBe('supervisor');
  });

  it('refuses a wrong state, a missing or foreign browser binding, and a replayed callback', async () => {
    await putSettings(adminAIn, settings(tenantA));
    const wrongState = await ssoLogin(tenantA, 'alice', async (u, b) => (u.searchParams.set('state', 'x' + u.searchParams.get('state')), { url: u, binding: b }));
    expect(ssoError(wrongState.res)).toBe('expired');
    const noCookie = await ssoLogin(tenantA, 'alice', async (u) => ({ url: u, binding: undefined }));
    expect(ssoError(noCookie.res)).toBe('expired');
    // Another browser's binding (a login-CSRF attempt: the attacker's callback in the victim's browser).
    const other = await t.app.inject({ method: 'GET', url: `/api/auth/sso/${tenantA.slug}/start` });
    const otherBinding = other.cookies.find((c) => c.name === 'parley_sso')!.value;
    const foreign = await ssoLogin(tenantA, 'alice', async (u) => ({ url: u, binding: otherBinding }));
    expect(ssoError(foreign.res)).toBe('expired');
    expect(await agentByEmail('alice@corp.example')).toBeUndefined();

    const ok = await ssoLogin(tenantA, 'alice');
    expect(ok.res.headers.location).toBe('/console/');
    const before = await sessionCount();
    const replay = await t.app.inject({ method: 'GET', url: ok.callback.pathname + ok.callback.search, cookies: { parley_sso: ok.binding } });
    expect(ssoError(replay)).toBe('expired');
    expect(await sessionCount()).toBe(before);
  });

  it('refuses a replayed code under a fresh state, a nonce mismatch and a wrong PKCE verifier', async () => {
    await putSettings(adminAIn, settings(tenantA));
    const db = t.ctx.storage.db;
    // A code already redeemed, presented with a new, valid state of this browser.
    const first = await ssoLogin(tenantA, 'alice');
    expect(first.res.headers.location).toBe('/console/');
    const fresh = await t.app.inject({ method: 'GET', url: `/api/auth/sso/${tenantA.slug}/start` });
    const freshState = new URL(fresh.headers.location as string).searchParams.get('state')!;
    const replayed = new URL(first.callback.href);
    replayed.searchParams.set('state', freshState);
    const before = await sessionCount();
    const r1 = await t.app.inject({ method: 'GET', url: replayed.pathname + replayed.search, cookies: { parley_sso: fresh.cookies.find((c) => c.name === 'parley_sso')!.value } });
    expect(ssoError(r1)).toBe('refused');

    // The ID token's nonce does not match the one stored for this request.
    const nonce = await ssoLogin(tenantA, 'alice', async (u, b) => {
      await db.updateTable('sso_login_states').set({ nonce: 'not-the-nonce-that-was-sent' }).execute();
      return { url: u, binding: b };
    });
    expect(ssoError(nonce.res)).toBe('refused');

    // The verifier does not match the challenge the provider saw.
    const pkce = await ssoLogin(tenantA, 'alice', async (u, b) => {
      const row = await db.selectFrom('sso_login_states').selectAll().executeTakeFirstOrThrow();
      await db.updateTable('sso_login_states').set({ code_verifier: await sealField(t.ctx.keyring, tenantA.id, 'sso_login_states', 'code_verifier', row.id, 'A'.repeat(43)) }).execute();
      return { url: u, binding: b };
    });
    expect(ssoError(pkce.res)).toBe('refused');
    expect(await sessionCount()).toBe(before);
    expect(logs.join('')).toMatch(/SSO sign-in refused/);
  });

  it('refuses a provider whose discovery names another issuer, when saving and at sign-in', async () => {
    const port = new URL(idp.issuer).port;
    const lookalike = `http://localhost:${port}`; // the same server, but it says its issuer is 127.0.0.1
    const save = await putSettings(adminAIn, settings(tenantA, { issuer: lookalike }));
    expect(save.statusCode).toBe(400);
    expect(save.json().error.message).toMatch(/could not use the provider/);
    // Stored anyway behind the API's back: the sign-in refuses to start.
    await putSettings(adminAIn, settings(tenantA));
    await t.ctx.storage.db.updateTable('tenant_sso').set({ issuer: lookalike }).execute();
    const start = await t.app.inject({ method: 'GET', url: `/api/auth/sso/${tenantA.slug}/start` });
    expect(ssoError(start)).toBe('unavailable');
  });

  it('refuses an unverified email and a domain that is not allowed, creating nothing', async () => {
    await putSettings(adminAIn, settings(tenantA));
    expect(ssoError((await ssoLogin(tenantA, 'unverified')).res)).toBe('email_unverified');
    expect(ssoError((await ssoLogin(tenantA, 'outsider')).res)).toBe('domain_not_allowed');
    expect(await agentByEmail('mallory@corp.example')).toBeUndefined();
    expect(await agentByEmail('eve@elsewhere.example')).toBeUndefined();
    expect(await t.ctx.storage.db.selectFrom('agent_sso_links').selectAll().execute()).toEqual([]);
  });

  it('never lets an IdP user of tenant A into tenant B, nor take over B\'s agent with the same email', async () => {
    await putSettings(adminAIn, settings(tenantA));
    const adminB = await makeAgent(t, tenantB, 'admin');
    const adminBIn = await login(t, adminB);
    expect((await putSettings(adminBIn, settings(tenantB))).statusCode).toBe(200);
    // B already has an agent with alice's email (password account).
    await t.ctx.storage.db.insertInto('agents').values({ id: 'agt_b_alice', tenant_id: tenantB.id, email: 'alice@corp.example', name: 'B Alice', role: 'agent', password_hash: 'x', created_at: Date.now(), disabled_at: null }).execute();
    expect(ssoError((await ssoLogin(tenantA, 'alice')).res)).toBe('other_tenant');
    const bAlice = await agentByEmail('alice@corp.example');
    expect(bAlice).toMatchObject({ id: 'agt_b_alice', tenant_id: tenantB.id, role: 'agent' });
    expect(await t.ctx.storage.db.selectFrom('agent_sso_links').selectAll().execute()).toEqual([]);

    // A request started at A, finished at B's callback: B has no such pending request.
    const crossed = await ssoLogin(tenantA, 'outsider', async (u, b) => {
      const moved = new URL(u.href);
      moved.pathname = `/api/auth/sso/${tenantB.slug}/callback`;
      return { url: moved, binding: b };
    });
    expect(ssoError(crossed.res)).toBe('expired');
    // B's request with a code the provider issued to A's client: the token endpoint refuses it.
    idp.accounts.set('bob', { sub: 'bob', email: 'bob@corp.example', email_verified: true, name: 'Bob', groups: ['support'] });
    const startA = await t.app.inject({ method: 'GET', url: `/api/auth/sso/${tenantA.slug}/start` });
    const codeForA = (await idpSignIn(startA.headers.location as string, 'bob')).searchParams.get('code')!;
    const startB = await t.app.inject({ method: 'GET', url: `/api/auth/sso/${tenantB.slug}/start` });
    const cbB = await idpSignIn(startB.headers.location as string, 'bob');
    cbB.searchParams.set('code', codeForA);
    const mixed = await t.app.inject({ method: 'GET', url: cbB.pathname + cbB.search, cookies: { parley_sso: startB.cookies.find((c) => c.name === 'parley_sso')!.value } });
    expect(ssoError(mixed)).toBe('refused');
    expect(await agentByEmail('bob@corp.example')).toBeUndefined();

    // A's admin API reads and writes A's settings only; B's agents cannot be A's break-glass admins.
    const readA = (await t.app.inject({ method: 'GET', url: '/api/admin/sso', headers: adminAIn.headers })).json();
    expect(readA.clientId).toBe(`client-${tenantA.slug}`);
    expect(readA.redirectUri).toBe(`${t.url}/api/auth/sso/${tenantA.slug}/callback`);
    await withTotp(adminB);
    const foreignBreakGlass = await putSettings(adminAIn, settings(tenantA, { breakGlassAgentIds: [adminB.id] }));
    expect(foreignBreakGlass.statusCode).toBe(400);
    expect(foreignBreakGlass.json().error.message).toMatch(/not an active agent of this organisation/);
  });

  it('require SSO: password login refused for the tenant\'s agents, except the break-glass admin with two-factor, whose every use is an incident', async () => {
    const agent = await makeAgent(t, tenantA, 'agent');
    const otherTenantAgent = await makeAgent(t, tenantB, 'agent');
    expect((await putSettings(adminAIn, settings(tenantA, { requireSso: true }))).json().error.message).toMatch(/break-glass admin/);
    expect((await putSettings(adminAIn, settings(tenantA, { requireSso: true, breakGlassAgentIds: [adminA.id] }))).json().error.message).toMatch(/two-factor/);
    expect((await putSettings(adminAIn, settings(tenantA, { requireSso: true, breakGlassAgentIds: [agent.id] }))).json().error.message).toMatch(/must be an admin/);
    const code = await withTotp(adminA);
    expect((await putSettings(adminAIn, settings(tenantA, { requireSso: true, breakGlassAgentIds: [adminA.id] }))).statusCode).toBe(200);

    const refused = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: TEST_PASSWORD } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'forbidden', details: { ssoRequired: true } });
    expect(refused.json().error.message).toMatch(/single sign-on/);
    // A wrong password still gets the plain answer (nothing said about SSO before the password is right).
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: 'wrong password!!' } })).statusCode).toBe(401);
    // Other tenants are untouched.
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: otherTenantAgent.email, password: TEST_PASSWORD } })).statusCode).toBe(200);

    const incidentsBefore = (await t.ctx.storage.db.selectFrom('incidents').selectAll().execute()).length;
    const glass = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: adminA.email, password: TEST_PASSWORD, totp: code() } });
    expect(glass.statusCode, glass.body).toBe(200);
    const incidents = await t.ctx.storage.db.selectFrom('incidents').selectAll().where('kind', '=', 'sso.break_glass').execute();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ tenant_id: tenantA.id, severity: 'high' });
    expect((await t.ctx.storage.db.selectFrom('incidents').selectAll().execute()).length).toBe(incidentsBefore + 1);
    expect(await t.ctx.storage.db.selectFrom('audit_log').select('actor_id').where('action', '=', 'sso.break_glass_login').execute()).toEqual([{ actor_id: adminA.id }]);

    // Two-factor removed from the break-glass admin: refused too.
    await t.ctx.storage.db.deleteFrom('agent_totp').where('agent_id', '=', adminA.id).execute();
    const noTotp = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: adminA.email, password: TEST_PASSWORD } });
    expect(noTotp.statusCode).toBe(403);
    // The break-glass admin cannot be reached through the IdP either.
    await t.ctx.storage.db.updateTable('agents').set({ email: 'alice@corp.example' }).where('id', '=', adminA.id).execute();
    expect(ssoError((await ssoLogin(tenantA, 'alice')).res)).toBe('break_glass');
  });

  it('never returns, stores in clear, audits or logs the client secret', async () => {
    const saved = await putSettings(adminAIn, settings(tenantA));
    expect(saved.body).not.toContain(SECRET_A);
    expect(saved.json().clientSecretSet).toBe(true);
    const read = await t.app.inject({ method: 'GET', url: '/api/admin/sso', headers: adminAIn.headers });
    expect(read.body).not.toContain(SECRET_A);
    const row = await t.ctx.storage.db.selectFrom('tenant_sso').selectAll().executeTakeFirstOrThrow();
    expect(row.client_secret).toMatch(/^pe1:/);
    expect(JSON.stringify(row)).not.toContain(SECRET_A);
    // A failing and a succeeding sign-in, then everything written: audit log, logs, the state table.
    await ssoLogin(tenantA, 'unverified');
    await ssoLogin(tenantA, 'alice', async (u, b) => (u.searchParams.set('code', 'bogus'), { url: u, binding: b }));
    await ssoLogin(tenantA, 'alice');
    const audit = await t.ctx.storage.db.selectFrom('audit_log').selectAll().execute();
    expect(JSON.stringify(audit)).not.toContain(SECRET_A);
    expect(logs.join('\n')).not.toContain(SECRET_A);
    expect(logs.length).toBeGreaterThan(0);
    // Keeping the secret while changing other settings; an empty string removes it.
    const kept = await putSettings(adminAIn, settings(tenantA, { clientSecret: undefined, allowedDomains: ['corp.example', 'corp2.example'] }));
    expect(kept.json()).toMatchObject({ clientSecretSet: true, allowedDomains: ['corp.example', 'corp2.example'] });
    expect((await ssoLogin(tenantA, 'alice')).res.headers.location).toBe('/console/');
    // Key rotation and the retention job: the sealed secret's key version is still in use, so it stays.
    await t.ctx.keyring.rotate(tenantA.id);
    expect((await maintainKeys(t.ctx, tenantA.id, Date.now() + KEY_DESTROY_GRACE_MS + 1000)).destroyed).toBe(0);
    expect((await ssoLogin(tenantA, 'alice')).res.headers.location).toBe('/console/');
  });

  it('admin API: admins only, validated, and discovery by slug or email domain', async () => {
    const agent = await makeAgent(t, tenantA, 'supervisor');
    const agentIn = await login(t, agent);
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/sso', headers: agentIn.headers })).statusCode).toBe(403);
    expect((await putSettings(agentIn, settings(tenantA))).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'PUT', url: '/api/admin/sso', headers: { cookie: adminAIn.cookie }, payload: settings(tenantA) })).statusCode).toBe(403); // no CSRF token
    expect((await putSettings(adminAIn, settings(tenantA, { issuer: 'http://idp.example' }))).json().error.message).toMatch(/https/);
    expect((await putSettings(adminAIn, settings(tenantA, { allowedDomains: ['not a domain'] }))).statusCode).toBe(400);
    expect((await putSettings(adminAIn, settings(tenantA, { allowedDomains: [] }))).statusCode).toBe(400);
    expect(await t.ctx.storage.db.selectFrom('tenant_sso').selectAll().execute()).toEqual([]);

    const none = await t.app.inject({ method: 'GET', url: `/api/auth/sso/discover?q=${tenantA.slug}` });
    expect(none.statusCode).toBe(404);
    await putSettings(adminAIn, settings(tenantA));
    const bySlug = await t.app.inject({ method: 'GET', url: `/api/auth/sso/discover?q=${tenantA.slug}` });
    expect(bySlug.json()).toEqual({ tenant: tenantA.slug, tenantName: tenantA.name, startUrl: `/api/auth/sso/${tenantA.slug}/start` });
    const byEmail = await t.app.inject({ method: 'GET', url: '/api/auth/sso/discover?q=someone%40Corp.Example' });
    expect(byEmail.json().tenant).toBe(tenantA.slug);
    // A domain claimed by two tenants is ambiguous: the slug must be given.
    const adminBIn = await login(t, await makeAgent(t, tenantB, 'admin'));
    await putSettings(adminBIn, settings(tenantB));
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/sso/discover?q=someone%40corp.example' })).statusCode).toBe(404);
    expect(ssoError(await t.app.inject({ method: 'GET', url: '/api/auth/sso/no-such-tenant/start' }))).toBe('unavailable');
  });
});
