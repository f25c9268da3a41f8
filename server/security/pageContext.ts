/**
 * The tenant's page context (issue 19): what the tenant's own page says about where the shopper is,
 * through the loader (`Parley.push(['page', name, attributes, signed])`); the loader never reads the
 * page. Anything the page says as plain values is the shopper's to change (devtools, or a direct
 * call to the API), so it is kept as *unverified*. What must be trusted (a plan, an order value, an
 * account tier used for routing) comes in `signed`: an HS256 JWT made by the tenant's backend with the
 * tenant's identity secret, like a logged-in shopper's identity, whose payload carries `page` and/or
 * `attributes` (and `exp`, under the same expiry policy as identities). Only entries taken from a JWT
 * whose signature and expiry check out are *verified*; a signed value overrides a plain one of the
 * same key. Every value is redacted like anything typed (a page could put a card number there).
 */
import { PAGE_CONTEXT_LIMITS, type PageContextClaim } from '../../protocol/contactCentre.js';
import { redactString } from './sinkRedaction.js';
import { verifyTenantJwt, type JwtPolicy } from './visitorIdentity.js';

export interface StoredPageContext {
  page: string | null;
  pageVerified: boolean;
  attributes: Array<{ key: string; value: string; verified: boolean }>;
  /** ms since the epoch */
  at: number;
}

// Redacted before it is cut to length: a cut card is no longer a card but still holds its digits.
const clean = (s: string, max: number) => redactString(s.trim()).slice(0, max);

/** Attributes as given (string, number or boolean values; anything else dropped), trimmed to the limits. */
function attributesOf(given: unknown): Array<[string, string]> {
  if (!given || typeof given !== 'object' || Array.isArray(given)) return [];
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(given as Record<string, unknown>)) {
    if (out.length >= PAGE_CONTEXT_LIMITS.attributes) break;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    const key = clean(k, PAGE_CONTEXT_LIMITS.key);
    if (key) out.push([key, clean(String(v), PAGE_CONTEXT_LIMITS.value)]);
  }
  return out;
}

/** Checks the claim against the tenant's identity secret; what is kept (and shown, and routed on). */
export function checkPageContext(secret: string | null, claim: PageContextClaim, now: number, policy: JwtPolicy): StoredPageContext {
  const attributes = new Map<string, { value: string; verified: boolean }>();
  for (const [key, value] of attributesOf(claim.attributes)) attributes.set(key, { value, verified: false });
  let page: string | null = clean(claim.page, PAGE_CONTEXT_LIMITS.name) || null;
  let pageVerified = false;
  const signed = claim.signed ? verifyTenantJwt(secret, claim.signed, now, policy) : null;
  if (signed) {
    const { payload, verified } = signed;
    if (typeof payload.page === 'string' && payload.page.trim()) {
      page = clean(payload.page, PAGE_CONTEXT_LIMITS.name);
      pageVerified = verified;
    }
    for (const [key, value] of attributesOf(payload.attributes)) {
      // A plain value never overrides a verified one; a verified one overrides anything.
      if (verified || !attributes.has(key)) attributes.set(key, { value, verified });
    }
  }
  return {
    page,
    pageVerified,
    attributes: [...attributes].slice(0, PAGE_CONTEXT_LIMITS.attributes).map(([key, v]) => ({ key, ...v })),
    at: now,
  };
}
