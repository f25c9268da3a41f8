import { describe, expect, it } from 'vitest';
import { DEFAULT_JWT_POLICY, checkIdentity, identityHash, signIdentityJwt } from './visitorIdentity.js';

const secret = 'ids_test_secret';

describe('visitor identity verification', () => {
  it('verifies an HMAC of the user id and flags anything else as unverified', () => {
    expect(checkIdentity(secret, { userId: 'u-42', hash: identityHash(secret, 'u-42') })).toEqual({ userId: 'u-42', verified: true });
    expect(checkIdentity(secret, { userId: 'u-42', hash: identityHash(secret, 'u-43') })).toEqual({ userId: 'u-42', verified: false });
    expect(checkIdentity(secret, { userId: 'u-42' })).toEqual({ userId: 'u-42', verified: false });
    expect(checkIdentity(null, { userId: 'u-42', hash: identityHash(secret, 'u-42') })).toEqual({ userId: 'u-42', verified: false });
  });

  it('verifies HS256 JWTs, honours exp, and refuses other algorithms', () => {
    const now = Date.UTC(2026, 0, 1);
    const good = signIdentityJwt(secret, { sub: 'u-7', exp: now / 1000 + 60 });
    expect(checkIdentity(secret, { jwt: good }, now)).toEqual({ userId: 'u-7', verified: true });
    expect(checkIdentity(secret, { jwt: signIdentityJwt(secret, { sub: 'u-7', exp: now / 1000 - 1 }) }, now)?.verified).toBe(false);
    expect(checkIdentity('other', { jwt: good }, now)?.verified).toBe(false);
    const [, body] = good.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${body}.`;
    expect(checkIdentity(secret, { jwt: none }, now)?.verified).toBe(false);
    expect(checkIdentity(secret, { jwt: 'not-a-jwt' }, now)).toBeNull();
  });

  it('requires exp by default and refuses a JWT living longer than the maximum lifetime (issue 18)', () => {
    const now = Date.UTC(2026, 0, 1);
    const noExp = signIdentityJwt(secret, { sub: 'u-7' });
    expect(checkIdentity(secret, { jwt: noExp }, now)).toEqual({ userId: 'u-7', verified: false });
    const max = DEFAULT_JWT_POLICY.maxLifetimeSeconds;
    expect(checkIdentity(secret, { jwt: signIdentityJwt(secret, { sub: 'u-7', exp: now / 1000 + max }) }, now)?.verified).toBe(true);
    expect(checkIdentity(secret, { jwt: signIdentityJwt(secret, { sub: 'u-7', exp: now / 1000 + max + 1 }) }, now)?.verified).toBe(false);
    expect(checkIdentity(secret, { jwt: signIdentityJwt(secret, { sub: 'u-7', exp: now / 1000 + 10 * 365 * 86400 }) }, now)?.verified).toBe(false);
    // A self-hoster may opt out of requiring exp (IDENTITY_JWT_REQUIRE_EXP=false) and lengthen the limit.
    expect(checkIdentity(secret, { jwt: noExp }, now, { requireExp: false, maxLifetimeSeconds: max })?.verified).toBe(true);
    expect(checkIdentity(secret, { jwt: signIdentityJwt(secret, { sub: 'u-7', exp: now / 1000 + 7200 }) }, now, { requireExp: true, maxLifetimeSeconds: 7200 })?.verified).toBe(true);
  });
});
