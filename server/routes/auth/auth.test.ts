import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, TEST_PASSWORD, type TestParley } from '../../testing/testParley.js';
import type { Agent } from '../../storage/schema.js';

describe('agent authentication', () => {
  let t: TestParley;
  let agent: Agent;
  beforeEach(async () => {
    t = await startTestParley();
    agent = await makeAgent(t, await makeTenant(t));
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('logs in with a secure session cookie and returns the CSRF token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email.toUpperCase(), password: TEST_PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^parley_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const body = res.json();
    expect(body.agent).toMatchObject({ id: agent.id, email: agent.email, role: 'agent' });
    expect(body.agent).not.toHaveProperty('password_hash');
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    // Only a hash of the token is stored.
    const token = cookie.split(';')[0]!.split('=')[1]!;
    const rows = await t.ctx.storage.db.selectFrom('sessions').selectAll().execute();
    expect(rows.some((r) => r.id === token)).toBe(false);
    expect(rows).toHaveLength(1);
  });

  it('stores passwords as argon2id hashes', async () => {
    const row = await t.ctx.storage.db.selectFrom('agents').select('password_hash').where('id', '=', agent.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses wrong passwords and unknown emails with the same answer', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: 'nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'ghost@example.com', password: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('locks an (account, address) pair after 5 failed attempts, even with the right password (more: loginThrottle.test.ts)', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: 'wrong' } });
      expect(r.statusCode).toBe(401);
    }
    const locked = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: TEST_PASSWORD } });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('rate_limited');
  });

  it('requires the CSRF header and a same-origin Origin on state changes', async () => {
    const { cookie, csrf } = await login(t, agent);
    const noHeader = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().error.code).toBe('csrf_failed');
    const wrongHeader = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-csrf-token': csrf + 'x' } });
    expect(wrongHeader.statusCode).toBe(403);
    const crossOrigin = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' } });
    expect(crossOrigin.statusCode).toBe(403);
    const crossLogin = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: 'https://evil.example' }, payload: { email: agent.email, password: TEST_PASSWORD } });
    expect(crossLogin.statusCode).toBe(403);
    const ok = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-csrf-token': csrf } });
    expect(ok.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('rejects bad login bodies with clear errors', async () => {
    const cases: Array<[unknown, string | undefined, number, RegExp]> = [
      ['{oops', 'application/json', 400, /not valid JSON/],
      [{ email: 'a@b.c' }, undefined, 400, /password/],
      [{ email: 'not-an-email', password: 'x' }, undefined, 400, /email/],
      [{ email: 'a@b.c', password: 'x', role: 'admin' }, undefined, 400, /\/role is not a known field/],
      [{ email: 'a@b.c', password: 123 }, undefined, 400, /password/],
      [JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70_000) }), 'application/json', 413, /larger than/],
      ['email=a', 'text/plain', 400, /body must be object/],
      ['email=a', 'application/x-www-form-urlencoded', 400, /content type/],
    ];
    for (const [payload, type, status, message] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: payload as string, headers: type ? { 'content-type': type } : {} });
      expect(res.statusCode, String(payload).slice(0, 60)).toBe(status);
      expect(res.json().error.message).toMatch(message);
    }
  });
});
