import type { IdentityClaim } from '../../../protocol/contactCentre.js';

/**
 * The logged-in shopper's identity, passed by the loader in the frame URL's fragment (never sent
 * to any server by the browser): `#uid=<user id>&uh=<hex HMAC>` or `#jwt=<HS256 JWT>`. The server
 * verifies it with the tenant's identity secret; an unsigned id is shown to agents as unverified.
 */
export function parseIdentity(hash: string): IdentityClaim | null {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const jwt = p.get('jwt');
  if (jwt && jwt.length <= 4096) return { jwt };
  const userId = p.get('uid')?.slice(0, 200);
  if (!userId) return null;
  const hash_ = p.get('uh');
  return hash_ && /^[0-9a-f]{1,128}$/i.test(hash_) ? { userId, hash: hash_ } : { userId };
}
