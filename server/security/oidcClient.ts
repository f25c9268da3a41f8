/**
 * The OpenID Connect relying party, on `openid-client` (a maintained, certified library): discovery
 * of a tenant's provider, authorization URLs with PKCE S256, and the code exchange, which validates
 * state, the `iss` response parameter, PKCE, and the ID token (issuer, audience, expiry, nonce and —
 * with non-repudiation checks on — its signature against the provider's published keys).
 * Discovered configurations are cached briefly, keyed by everything they were built from, so a
 * changed setting is never served from the cache.
 */
import * as oidc from 'openid-client';
import { ExpiringCache } from '../expiringCache.js';

export interface OidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
}

export class OidcClients {
  private readonly cache = new ExpiringCache<Promise<oidc.Configuration>>({ maxEntries: 500, ttlMs: 5 * 60_000 });

  constructor(private readonly allowHttpLoopback: boolean) {}

  configuration(p: OidcProvider): Promise<oidc.Configuration> {
    const key = JSON.stringify([p.issuer, p.clientId, p.clientSecret]);
    let hit = this.cache.get(key);
    if (!hit) {
      const auth = p.clientSecret ? oidc.ClientSecretPost(p.clientSecret) : oidc.None();
      // Plain http is only ever reached when the issuer passed validateIssuer with the loopback allowance.
      const execute = this.allowHttpLoopback && p.issuer.startsWith('http:') ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] : [oidc.enableNonRepudiationChecks];
      hit = oidc.discovery(new URL(p.issuer), p.clientId, undefined, auth, { execute, timeout: 10 });
      hit.catch(() => this.cache.delete(key));
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** A new authorization request: the URL to send the browser to, and what the callback must check. */
  async authorizationRequest(p: OidcProvider, redirectUri: string): Promise<{ url: string; state: string; nonce: string; codeVerifier: string }> {
    const config = await this.configuration(p);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  /** Exchanges the code; throws on any failed check. Answers the ID token's claims. */
  async exchange(p: OidcProvider, callbackUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<Record<string, unknown>> {
    const config = await this.configuration(p);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    return claims as Record<string, unknown>;
  }
}
