/**
 * Verification of a logged-in shopper's identity, vouched for by the tenant's own backend with the
 * tenant's identity secret: either hash = hex HMAC-SHA256(secret, userId), or an HS256 JWT whose
 * `sub` is the user id. A JWT must carry `exp` (unless IDENTITY_JWT_REQUIRE_EXP=false) and expire at
 * most IDENTITY_JWT_MAX_SECONDS from now, so a leaked token is not a permanent identity (issue 18).
 * Comparisons are constant-time. Anything else is kept as an *unverified* claim.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IdentityClaim } from '../../protocol/contactCentre.js';

/** The JWT expiry policy (env IDENTITY_JWT_REQUIRE_EXP, IDENTITY_JWT_MAX_SECONDS). */
export interface JwtPolicy {
  requireExp: boolean;
  maxLifetimeSeconds: number;
}
export const DEFAULT_JWT_POLICY: JwtPolicy = { requireExp: true, maxLifetimeSeconds: 3600 };

export interface CheckedIdentity {
  userId: string;
  verified: boolean;
}

const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function identityHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

const b64url = (buf: Buffer) => buf.toString('base64url');

/** For tenants' backends and tests: an HS256 JWT for `claims`. */
export function signIdentityJwt(secret: string, claims: Record<string, unknown>): string {
  const head = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const body = b64url(Buffer.from(JSON.stringify(claims)));
  return `${head}.${body}.${b64url(createHmac('sha256', secret).update(`${head}.${body}`).digest())}`;
}

/**
 * An HS256 JWT made by the tenant's backend with its identity secret: its payload, and whether its
 * signature and expiry check out under the policy. null when it is not a JWT at all.
 */
export function verifyTenantJwt(secret: string | null, jwt: string, now: number, policy: JwtPolicy): { payload: Record<string, unknown>; verified: boolean } | null {
  const parts = jwt.split('.');
  if (parts.length !== 3) return null;
  let header: { alg?: unknown };
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const claims = payload as Record<string, unknown>;
  // Only HS256: "none" and algorithm confusion are refused outright.
  if (!secret || header?.alg !== 'HS256') return { payload: claims, verified: false };
  const expected = b64url(createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest());
  if (!safeEqual(expected, parts[2]!)) return { payload: claims, verified: false };
  const exp = claims.exp;
  if (exp === undefined) return { payload: claims, verified: !policy.requireExp };
  if (typeof exp !== 'number' || exp * 1000 < now) return { payload: claims, verified: false };
  // Longer-lived than the policy allows: treated like no expiry at all.
  if (exp * 1000 - now > policy.maxLifetimeSeconds * 1000) return { payload: claims, verified: false };
  return { payload: claims, verified: true };
}

/** The user id in a JWT's payload, and whether its signature and expiry check out. */
function checkJwt(secret: string | null, jwt: string, now: number, policy: JwtPolicy): CheckedIdentity | null {
  const checked = verifyTenantJwt(secret, jwt, now, policy);
  const sub = checked?.payload.sub;
  if (!checked || typeof sub !== 'string' || !sub || sub.length > 200) return null;
  return { userId: sub, verified: checked.verified };
}

export function checkIdentity(secret: string | null, claim: IdentityClaim, now = Date.now(), policy: JwtPolicy = DEFAULT_JWT_POLICY): CheckedIdentity | null {
  if ('jwt' in claim) return checkJwt(secret, claim.jwt, now, policy);
  const userId = claim.userId.trim();
  if (!userId) return null;
  const verified = !!secret && !!claim.hash && safeEqual(identityHash(secret, userId), claim.hash.toLowerCase());
  return { userId, verified };
}
