/** SCIM 2.0 provisioning: tenant-scoped token, create / get / list by userName / deactivate / delete. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, type LoggedIn, type TestParley } from '../../testing/testParley.js';
import type { Agent, Tenant } from '../../storage/schema.js';

describe('SCIM 2.0 users', () => {
  let t: TestParley;
  let tenantA: Tenant;
  let tenantB: Tenant;
  let adminA: Agent;
  let adminAIn: LoggedIn;
  let tokenA: string;
  let tokenB: string;

  beforeEach(async () => {
    t = await startTestParley();
    tenantA = await makeTenant(t);
    tenantB = await makeTenant(t);
    adminA = await makeAgent(t, tenantA, 'admin');
    adminAIn = await login(t, adminA);
    const created = await t.app.inject({ method: 'POST', url: '/api/admin/sso/scim-token', headers: adminAIn.headers });
    expect(created.statusCode).toBe(201);
    tokenA = created.json().token;
    expect(created.json().baseUrl).toBe(`${t.url}/scim/v2`);
    tokenB = (await t.app.inject({ method: 'POST', url: '/api/admin/sso/scim-token', headers: (await login(t, await makeAgent(t, tenantB, 'admin'))).headers })).json().token;
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const scim = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/scim+json' } : {}) }, ...(payload ? { payload: JSON.stringify(payload) } : {}) });
  const newUser = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'Sam', familyName: 'Lee' }, emails: [{ value: userName, primary: true }], active: true });

  it('creates, reads, finds by userName, deactivates (signing the agent out) and deletes', async () => {
    const created = await scim(tokenA, 'POST', '/scim/v2/Users', newUser('Sam@Corp.Example'));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['content-type']).toMatch(/application\/scim\+json/);
    const user = created.json();
    expect(user).toMatchObject({ userName: 'sam@corp.example', displayName: 'Sam Lee', active: true });
    const agent = await t.ctx.storage.db.selectFrom('agents').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(agent).toMatchObject({ tenant_id: tenantA.id, role: 'agent', disabled_at: null });

    expect((await scim(tokenA, 'GET', `/scim/v2/Users/${user.id}`)).json().id).toBe(user.id);
    const found = (await scim(tokenA, 'GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "SAM@corp.example"')}`)).json();
    expect(found).toMatchObject({ totalResults: 1, Resources: [{ id: user.id }] });
    expect((await scim(tokenA, 'GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "nobody@corp.example"')}`)).json().totalResults).toBe(0);
    expect((await scim(tokenA, 'GET', `/scim/v2/Users?filter=${encodeURIComponent('emails co "x"')}`)).statusCode).toBe(400);
    expect((await scim(tokenA, 'POST', '/scim/v2/Users', newUser('sam@corp.example'))).json()).toMatchObject({ status: '409', scimType: 'uniqueness' });

    // A session of the agent, then active=false (Azure style: value object) ends it.
    await t.ctx.storage.db.insertInto('sessions').values({ id: 'x'.repeat(64), agent_id: user.id, tenant_id: tenantA.id, csrf_token: 'c', created_at: Date.now(), expires_at: Date.now() + 60_000, ip: null, user_agent: null }).execute();
    const off = await scim(tokenA, 'PATCH', `/scim/v2/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', value: { active: false } }] });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().active).toBe(false);
    expect(await t.ctx.storage.db.selectFrom('sessions').selectAll().where('agent_id', '=', user.id).execute()).toEqual([]);
    // Okta style: path + value; reactivates.
    expect((await scim(tokenA, 'PATCH', `/scim/v2/Users/${user.id}`, { Operations: [{ op: 'replace', path: 'active', value: true }] })).json().active).toBe(true);
    expect((await scim(tokenA, 'PATCH', `/scim/v2/Users/${user.id}`, { Operations: [{ op: 'replace', path: 'roles', value: 'admin' }] })).statusCode).toBe(400);

    expect((await scim(tokenA, 'DELETE', `/scim/v2/Users/${user.id}`)).statusCode).toBe(204);
    expect((await scim(tokenA, 'GET', `/scim/v2/Users/${user.id}`)).statusCode).toBe(404);
    const actions = (await t.ctx.storage.db.selectFrom('audit_log').select('action').where('action', 'like', 'scim.%').execute()).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['scim.token_created', 'scim.user_created', 'scim.user_deleted']));
  });

  it('is tenant-scoped: B\'s token neither sees nor changes A\'s users', async () => {
    const user = (await scim(tokenA, 'POST', '/scim/v2/Users', newUser('kim@corp.example'))).json();
    expect((await scim(tokenB, 'GET', `/scim/v2/Users/${user.id}`)).statusCode).toBe(404);
    expect((await scim(tokenB, 'GET', `/scim/v2/Users/${adminA.id}`)).statusCode).toBe(404);
    expect((await scim(tokenB, 'PATCH', `/scim/v2/Users/${user.id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] })).statusCode).toBe(404);
    expect((await scim(tokenB, 'DELETE', `/scim/v2/Users/${user.id}`)).statusCode).toBe(404);
    const listB = (await scim(tokenB, 'GET', '/scim/v2/Users')).json();
    expect(listB.Resources.map((r: { id: string }) => r.id)).not.toContain(user.id);
    expect((await scim(tokenB, 'GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "kim@corp.example"')}`)).json().totalResults).toBe(0);
    const still = await t.ctx.storage.db.selectFrom('agents').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(still.disabled_at).toBeNull();
  });

  it('refuses a missing, wrong or revoked token, and keeps the last admin', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/scim/v2/Users' })).statusCode).toBe(401);
    expect((await scim('scim_' + 'A'.repeat(43), 'GET', '/scim/v2/Users')).statusCode).toBe(401);
    // An API key is not a SCIM token.
    expect((await scim('pk_' + 'A'.repeat(43), 'GET', '/scim/v2/Users')).json()).toMatchObject({ status: '401' });
    expect((await scim(tokenA, 'DELETE', `/scim/v2/Users/${adminA.id}`)).statusCode).toBe(409);
    expect((await scim(tokenA, 'PATCH', `/scim/v2/Users/${adminA.id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] })).statusCode).toBe(409);
    // Rotating replaces the old token.
    const rotated = (await t.app.inject({ method: 'POST', url: '/api/admin/sso/scim-token', headers: adminAIn.headers })).json().token;
    expect((await scim(tokenA, 'GET', '/scim/v2/Users')).statusCode).toBe(401);
    expect((await scim(rotated, 'GET', '/scim/v2/Users')).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/admin/sso/scim-token', headers: adminAIn.headers })).statusCode).toBe(204);
    expect((await scim(rotated, 'GET', '/scim/v2/Users')).statusCode).toBe(401);
    const stored = await t.ctx.storage.db.selectFrom('scim_tokens').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(tokenB);
  });
});
