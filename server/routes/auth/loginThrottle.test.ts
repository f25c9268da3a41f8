import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, makeAgent, makeTenant, startTestParley, TEST_PASSWORD, type TestParley } from '../../testing/testParley.js';
import { totpCode } from '../../security/totp.js';
import { CODE_LIMITS } from '../../security/codeAttempts.js';
import { LOGIN_LIMITS } from '../../security/loginThrottle.js';
import type { Agent } from '../../storage/schema.js';

/**
 * Sign-in throttling (docs/SECURITY.md): a stranger cannot lock the owner out, and guessing stays
 * throttled from one address and from many. Every code check shares one limiter.
 */
describe('sign-in throttling and the code limiter', () => {
  let t: TestParley;
  let agent: Agent;
  beforeEach(async () => {
    t = await startTestParley();
    agent = await makeAgent(t, await makeTenant(t));
  });
  afterEach(() => cleanupTestParley(t));
  afterAll(dropSchemas);

  const signIn = (from: string, password: string, extra: { totp?: string; cookie?: string; email?: string } = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: from,
      payload: { email: extra.email ?? agent.email, password, ...(extra.totp ? { totp: extra.totp } : {}) },
      headers: extra.cookie ? { cookie: extra.cookie } : {},
    });
  const cookieNamed = (res: Awaited<ReturnType<typeof signIn>>, name: string) => {
    const all = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    return all.find((c) => c.startsWith(`${name}=`))?.split(';')[0];
  };
  /** Turns two-factor on for `agent`; returns its secret. */
  const enableTotp = async () => {
    const first = await signIn('192.0.2.1', TEST_PASSWORD);
    const headers = { cookie: cookieNamed(first, 'parley_session')!, 'x-csrf-token': first.json().csrfToken };
    const { secret } = (await t.app.inject({ method: 'POST', url: '/api/auth/totp/setup', headers })).json();
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers, payload: { code: totpCode(secret, Date.now() - 30_000) } })).statusCode).toBe(200);
    return { secret: secret as string, headers };
  };
  const wrongCode = (secret: string) => (totpCode(secret) === '000000' ? '111111' : '000000');
  const fromMany = async (n: number, password = 'guess') => {
    for (let i = 0; i < n; i++) expect((await signIn(`203.0.113.${i + 1}`, password)).statusCode).toBe(401);
  };

  it('an attacker failing from another address does not lock the owner out', async () => {
    for (let i = 0; i < LOGIN_LIMITS.perAccountAddress.failures; i++) expect((await signIn('198.51.100.66', 'wrong')).statusCode).toBe(401);
    expect((await signIn('198.51.100.66', TEST_PASSWORD)).statusCode).toBe(429); // the attacker's own address is throttled
    const owner = await signIn('192.0.2.10', TEST_PASSWORD);
    expect(owner.statusCode, owner.body).toBe(200);
  });

  it('brute force from one address stays throttled, for one account and across accounts', async () => {
    for (let i = 0; i < LOGIN_LIMITS.perAccountAddress.failures; i++) await signIn('198.51.100.7', `guess${i}`);
    const locked = await signIn('198.51.100.7', TEST_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('rate_limited');
    // Spraying: one wrong password to many accounts from one address.
    const tenant = await makeTenant(t);
    const others = await Promise.all(Array.from({ length: LOGIN_LIMITS.perAddress.failures }, () => makeAgent(t, tenant)));
    for (const o of others) await signIn('198.51.100.8', 'Summer2026!', { email: o.email });
    expect((await signIn('198.51.100.8', TEST_PASSWORD)).statusCode).toBe(429);
  });

  it('brute force from many addresses protects the account: a password alone no longer gets in, whoever sends it', async () => {
    await fromMany(LOGIN_LIMITS.perAccount.failures);
    const right = await signIn('203.0.113.200', TEST_PASSWORD);
    const wrong = await signIn('203.0.113.201', 'still guessing');
    expect(right.statusCode).toBe(429);
    // The same answer for the right and a wrong password: no oracle for the attacker.
    expect(right.json()).toEqual(wrong.json());
    expect(right.json().error.details).toEqual({ totpRequired: true });
    expect(await t.ctx.storage.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    // Unknown accounts are protected alike (no enumeration).
    for (let i = 0; i < LOGIN_LIMITS.perAccount.failures; i++) await signIn(`203.0.113.${i + 1}`, 'x', { email: 'ghost@example.com' });
    expect((await signIn('203.0.113.202', 'x', { email: 'ghost@example.com' })).json()).toEqual({ ...wrong.json() });
  });

  it('a protected account still lets its owner in from a known device (password only, two-factor off)', async () => {
    const earlier = await signIn('192.0.2.1', TEST_PASSWORD);
    const device = cookieNamed(earlier, 'parley_device')!;
    expect(device).toMatch(/^parley_device=/);
    await fromMany(LOGIN_LIMITS.perAccount.failures);
    expect((await signIn('192.0.2.50', TEST_PASSWORD)).statusCode).toBe(429);
    const owner = await signIn('192.0.2.99', TEST_PASSWORD, { cookie: device });
    expect(owner.statusCode, owner.body).toBe(200);
    // A forged device cookie, or another agent's, is not a known device.
    const forged = device.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await signIn('192.0.2.97', TEST_PASSWORD, { cookie: forged })).statusCode).toBe(429);
    const other = await makeAgent(t, await makeTenant(t));
    const otherDevice = cookieNamed(await signIn('192.0.2.2', TEST_PASSWORD, { email: other.email }), 'parley_device')!;
    expect((await signIn('192.0.2.96', TEST_PASSWORD, { cookie: otherDevice })).statusCode).toBe(429);
    // The known device's own wrong passwords are still limited.
    for (let i = 0; i < LOGIN_LIMITS.perKnownDevice.failures; i++) expect((await signIn('192.0.2.99', 'typo', { cookie: device })).statusCode).toBe(401);
    expect((await signIn('192.0.2.99', TEST_PASSWORD, { cookie: device })).statusCode).toBe(429);
  });

  it('a protected account with two-factor lets in the right password with a valid code, from any browser, and nothing else', async () => {
    const { secret } = await enableTotp();
    await fromMany(LOGIN_LIMITS.perAccount.failures);
    // The right password without a code, a wrong password with the right code, the right password with a wrong code: refused alike.
    const noCode = await signIn('192.0.2.50', TEST_PASSWORD);
    const wrongPassword = await signIn('192.0.2.51', 'guess', { totp: totpCode(secret) });
    const badCode = await signIn('192.0.2.52', TEST_PASSWORD, { totp: wrongCode(secret) });
    expect(noCode.statusCode).toBe(429);
    for (const r of [wrongPassword, badCode]) expect(r.json()).toEqual(noCode.json());
    const owner = await signIn('192.0.2.99', TEST_PASSWORD, { totp: totpCode(secret) });
    expect(owner.statusCode, owner.body).toBe(200);
    // Once the code limiter refuses too, the right password still answers like a wrong one (no oracle).
    for (let i = 0; i < CODE_LIMITS.totp.failures; i++) await signIn(`192.0.2.${110 + i}`, TEST_PASSWORD, { totp: wrongCode(secret) });
    const rightAfter = await signIn('192.0.2.150', TEST_PASSWORD, { totp: wrongCode(secret) });
    const wrongAfter = await signIn('192.0.2.151', 'guess', { totp: wrongCode(secret) });
    expect(rightAfter.json()).toEqual(noCode.json());
    expect(wrongAfter.json()).toEqual(noCode.json());
  });

  it('TOTP disable: wrong codes are refused after the limit (25 tried), even the right one, until the window ends', async () => {
    const { secret, headers } = await enableTotp();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await t.app.inject({ method: 'POST', url: '/api/auth/totp/disable', headers, payload: { code: wrongCode(secret) } })).statusCode);
    expect(statuses.slice(0, CODE_LIMITS.totp.failures)).toEqual(Array(CODE_LIMITS.totp.failures).fill(400));
    expect(statuses.slice(CODE_LIMITS.totp.failures)).toEqual(Array(25 - CODE_LIMITS.totp.failures).fill(429));
    const right = await t.app.inject({ method: 'POST', url: '/api/auth/totp/disable', headers, payload: { code: totpCode(secret) } });
    expect(right.statusCode).toBe(429);
    expect((await t.ctx.storage.db.selectFrom('agent_totp').select('enabled_at').executeTakeFirstOrThrow()).enabled_at).not.toBeNull();
  });

  it('every code check shares the one limiter: wrong codes at sign-in and at disable add up; a known device keeps its own budget', async () => {
    const { secret, headers } = await enableTotp();
    const device = cookieNamed(await signIn('192.0.2.1', TEST_PASSWORD, { totp: totpCode(secret) }), 'parley_device')!;
    const half = CODE_LIMITS.totp.failures / 2;
    // Someone who knows the password guesses codes from new browsers (few per address, under the password limits).
    for (let i = 0; i < half; i++) expect((await signIn(`198.51.100.${i + 1}`, TEST_PASSWORD, { totp: wrongCode(secret) })).statusCode).toBe(401);
    for (let i = 0; i < half; i++) expect((await t.app.inject({ method: 'POST', url: '/api/auth/totp/disable', headers, payload: { code: wrongCode(secret) } })).statusCode).toBe(400);
    expect((await signIn('198.51.100.100', TEST_PASSWORD, { totp: totpCode(secret, Date.now() + 30_000) })).statusCode).toBe(429);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/totp/disable', headers, payload: { code: totpCode(secret, Date.now() + 30_000) } })).statusCode).toBe(429);
    // The owner's known device still signs in with a valid code.
    const owner = await signIn('192.0.2.1', TEST_PASSWORD, { cookie: device, totp: totpCode(secret, Date.now() + 30_000) });
    expect(owner.statusCode, owner.body).toBe(200);
  });

  it('invitation tokens go through the same limiter, per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < CODE_LIMITS.invitation.failures + 2; i++) {
      statuses.push((await t.app.inject({ method: 'GET', url: `/api/invitations?token=${'A'.repeat(43)}`, remoteAddress: '198.51.100.9' })).statusCode);
    }
    expect(statuses.slice(0, CODE_LIMITS.invitation.failures).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(CODE_LIMITS.invitation.failures)).toEqual([429, 429]);
    expect((await t.app.inject({ method: 'GET', url: `/api/invitations?token=${'A'.repeat(43)}`, remoteAddress: '198.51.100.10' })).statusCode).toBe(404);
  });
});
