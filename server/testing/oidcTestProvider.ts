/**
 * A real OpenID Connect provider (`oidc-provider`, the certified Node implementation) in the test
 * process on 127.0.0.1: discovery, signed ID tokens (RS256 keys made per run), PKCE required for
 * every client, single-use codes. Its sign-in page is a one-field form naming the test account, so
 * tests (with `idpSignIn`) and the browser test go through the same interaction the way a user does.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import Provider, { type ClientMetadata } from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  groups: string[];
}

export interface TestIdp {
  issuer: string;
  /** Accounts by sub; change one between sign-ins to change its claims. */
  accounts: Map<string, TestAccount>;
  /** Registers a client (secret-based, code flow); redirect URIs must match exactly. */
  addClient(client: { clientId: string; clientSecret: string; redirectUris: string[] }): void;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<URLSearchParams> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startTestIdp(): Promise<TestIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, TestAccount>();
  const clients: ClientMetadata[] = []; // found through the adapter, so clients can be added while running
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'test-key' };

  // The provider's storage (codes, sessions, grants, and clients added later), in memory.
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const live = (key: string) => {
    const e = store.get(key);
    return e && e.expiresAt > Date.now() ? e.payload : undefined;
  };
  class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key = (id: string) => `${this.model}:${id}`;
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (typeof payload.uid === 'string') store.set(`${this.model}:uid:${payload.uid}`, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    }
    async find(id: string) {
      return this.model === 'Client' ? clients.find((c) => c.client_id === id) : live(this.key(id));
    }
    async findByUid(uid: string) {
      return live(`${this.model}:uid:${uid}`);
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const p = live(this.key(id));
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [k, e] of store) if (e.payload.grantId === grantId) store.delete(k);
    }
  }

  const provider = new Provider(issuer, {
    adapter: MemoryAdapter as never,
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['parley-test-idp-cookie-key'] },
    pkce: { required: () => true },
    // Email and groups in the ID token itself, as most enterprise IdPs send them.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const a = accounts.get(sub);
      return a ? { accountId: sub, claims: () => ({ ...a }) } : undefined;
    },
  });

  server.on('request', (req, res) => {
    void (async () => {
      const m = /^\/interaction\/([\w-]+)$/.exec(req.url ?? '');
      if (!m) return provider.callback()(req, res);
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(
          `<!doctype html><title>Test IdP sign-in</title><h1>Test identity provider</h1>` +
            `<form method="post" action="/interaction/${escapeHtml(m[1]!)}"><label>Account <input name="login" id="idp-login"></label> <button type="submit" id="idp-submit">Sign in</button></form>`,
        );
        return;
      }
      const sub = (await readBody(req)).get('login') ?? '';
      if (!accounts.has(sub)) {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown test account' });
        return;
      }
      const grant = new provider.Grant({ accountId: sub, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((err: Error) => {
      res.statusCode = 500;
      res.end(err.message);
    });
  });

  return {
    issuer,
    accounts,
    addClient(c) {
      clients.push({ client_id: c.clientId, client_secret: c.clientSecret, redirect_uris: c.redirectUris, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Follows a browser through the provider: authorization URL → sign-in form as `sub` → back. Answers the callback URL. */
export async function idpSignIn(authorizationUrl: string, sub: string): Promise<URL> {
  const jar = new Map<string, string>();
  const origin = new URL(authorizationUrl).origin;
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  };
  let res = await go(authorizationUrl);
  for (let hops = 0; hops < 10; hops++) {
    const location = res.headers.get('location');
    if (!location) throw new Error(`test IdP answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
    const next = new URL(location, origin);
    if (next.origin !== origin) return next;
    res = next.pathname.startsWith('/interaction/')
      ? await go(next.href, { method: 'POST', body: new URLSearchParams({ login: sub }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      : await go(next.href);
  }
  throw new Error('test IdP: too many redirects');
}
