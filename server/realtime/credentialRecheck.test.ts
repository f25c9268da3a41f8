/**
 * An agent socket lives no longer than the session or key that opened it (credentialRecheck.ts):
 * signed out, revoked by an admin, expired, the agent disabled, the key revoked — each closes the
 * sockets it opened with 4001 and they hear nothing more of the tenant's inbox; sockets whose
 * credential stands (the admin's, another key) stay open and keep hearing.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeApiKey, makeTenant, startTestParley, TestSocket, visitorSession, type LoggedIn, type TestParley } from '../testing/testParley.js';
import { RECHECK_MS } from './credentialRecheck.js';
import type { Tenant } from '../storage/schema.js';

describe('agent sockets end with their credential', () => {
  let t: TestParley;
  let tenant: Tenant;
  let admin: LoggedIn;

  beforeEach(async () => {
    t = await startTestParley({ listen: true });
    tenant = await makeTenant(t);
    admin = await login(t, await makeAgent(t, tenant, 'admin'));
  });
  afterEach(async () => cleanupTestParley(t));
  afterAll(dropSchemas);

  const listen = async (opts: { cookie?: string; apiKey?: string }) => {
    const socket = await TestSocket.open(t, '/ws/agent', opts);
    socket.send({ type: 'hello' });
    await socket.next('ready');
    return socket;
  };
  const isOpen = (s: TestSocket) => s.ws.readyState === s.ws.OPEN;
  const keyId = async (name: string) => (await t.app.inject({ method: 'GET', url: '/api/admin/api-keys', headers: admin.headers })).json().items.find((k: { name: string }) => k.name === name).id as string;
  const makeNamedKey = async (name: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/api-keys', headers: admin.headers, payload: { name, scopes: ['conversations:read'] } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().token as string;
  };

  it('signed out, revoked by an admin, expired, agent disabled, key revoked: closed with 4001 and told nothing more; the others keep hearing', async () => {
    const signsOut = await login(t, await makeAgent(t, tenant));
    const revokedAgent = await makeAgent(t, tenant);
    const revoked = await login(t, revokedAgent);
    const expires = await login(t, await makeAgent(t, tenant));
    const disabledAgent = await makeAgent(t, tenant);
    const disabled = await login(t, disabledAgent);
    const doomedKey = await makeNamedKey('doomed');
    const keptKey = await makeNamedKey('kept');

    const sockets = {
      signsOut: await listen({ cookie: signsOut.cookie }),
      revoked: await listen({ cookie: revoked.cookie }),
      expires: await listen({ cookie: expires.cookie }),
      disabled: await listen({ cookie: disabled.cookie }),
      key: await listen({ apiKey: doomedKey }),
    };
    const kept = { admin: await listen({ cookie: admin.cookie }), key: await listen({ apiKey: keptKey }) };

    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: signsOut.headers })).statusCode).toBe(204);
    const sessions = (await t.app.inject({ method: 'GET', url: '/api/admin/sessions', headers: admin.headers })).json().items as Array<{ id: string; agent: { id: string } }>;
    const ref = sessions.find((s) => s.agent.id === revokedAgent.id)!.id;
    expect((await t.app.inject({ method: 'POST', url: `/api/admin/sessions/${ref}/revoke`, headers: admin.headers })).statusCode).toBe(204);
    await t.ctx.storage.db.updateTable('sessions').set({ expires_at: Date.now() - 1 }).where('agent_id', '=', (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: expires.headers })).json().agent.id).execute();
    expect((await t.app.inject({ method: 'PATCH', url: `/api/admin/agents/${disabledAgent.id}`, headers: admin.headers, payload: { disabled: true } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/admin/api-keys/${await keyId('doomed')}/revoke`, headers: admin.headers })).statusCode).toBe(200);

    // Before the check, every socket still hears the inbox: the credential alone ended nothing.
    expect(Object.values(sockets).every(isOpen)).toBe(true);
    expect(await t.gateway.credentials.run()).toBe(5);
    for (const [name, socket] of Object.entries(sockets)) expect({ name, ...(await socket.closed) }).toMatchObject({ name, code: 4001 });

    // A visitor writes: only the sockets whose credential stands hear it.
    const { token } = await visitorSession(t, tenant);
    const visitor = await TestSocket.open(t, '/ws/visitor');
    visitor.send({ type: 'hello', token });
    await visitor.next('ready');
    visitor.send({ type: 'message.send', clientId: 'v1', body: 'Where is my order?' });
    await visitor.next('ack');
    for (const socket of Object.values(kept)) expect((await socket.next('message')).message.body).toBe('Where is my order?');
    expect(Object.values(kept).every(isOpen)).toBe(true);
    expect(await t.gateway.credentials.run()).toBe(0);
    for (const socket of [...Object.values(kept), visitor]) socket.close();
  });

  it('does so by itself, within two check intervals', async () => {
    const key = await makeNamedKey('integration');
    const socket = await listen({ apiKey: key });
    expect((await t.app.inject({ method: 'POST', url: `/api/admin/api-keys/${await keyId('integration')}/revoke`, headers: admin.headers })).statusCode).toBe(200);
    const closed = await Promise.race([socket.closed, new Promise<null>((r) => setTimeout(() => r(null), RECHECK_MS * 2 + 1000))]);
    expect(closed).toMatchObject({ code: 4001, reason: 'the API key was revoked' });
  });
});
