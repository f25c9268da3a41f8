/**
 * Single sign-on routes. Public: discovery (`?q=` slug or work email), start (to the provider) and
 * callback (back from it: the same session cookie and CSRF token as a password login). Admin: the
 * tenant's SSO settings. Browser-facing failures go back to the console as `?sso_error=<code>`, a
 * fixed list the console turns into its own sentences (no provider text is reflected).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { SsoDiscovery, SsoDiscoveryQuery, SsoSettingsBody, SsoSettingsView, type SsoErrorCode, type SsoSettingsBody as Body } from '../../../protocol/sso.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { finishSsoLogin, SSO_STATE_TTL_MS, startSsoLogin } from '../../commands/ssoLogin.js';
import { updateSsoSettings } from '../../commands/ssoSettingsUpdater.js';
import { discoverSsoTenant, ssoRedirectUri, ssoSettingsView } from '../../queries/ssoQueries.js';
import { OidcClients } from '../../security/oidcClient.js';
import { RateLimiter } from '../../security/rateLimiter.js';
import { revokeScimToken, rotateScimToken } from '../../commands/scimUsers.js';
import { ScimTokenCreated } from '../../../protocol/sso.js';
import { scimRoutes } from '../scim/scim.js';
import type { ApiOp } from '../api/apiRoute.js';
import { setSessionCookie } from '../auth/sessionCookie.js';

/** Binds an authorization request to the browser that started it; sent back on the provider's redirect (SameSite=Lax). */
export const SSO_BINDING_COOKIE = 'parley_sso';
const BINDING_PATH = '/api/auth/sso/';
const TenantParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 64 }) });

export function ssoRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions, op: ApiOp): void {
  const clients = new OidcClients(ctx.env.ssoAllowHttpLoopback);
  // Each start stores a pending request: bounded per address.
  const starts = new RateLimiter(60, 15 * 60_000);
  const tags = ['auth'];
  const backToConsole = (reply: FastifyReply, err: unknown) => {
    const code = err instanceof AppError ? (err.details as { ssoError?: SsoErrorCode } | undefined)?.ssoError : undefined;
    if (!code) throw err;
    return reply.redirect(`/console/?sso_error=${code}`, 303);
  };

  app.get('/api/auth/sso/discover', { schema: { tags, summary: 'Where "Sign in with SSO" starts for an organisation slug or a work email', querystring: SsoDiscoveryQuery, response: { 200: SsoDiscovery } } }, async (req) => {
    const tenant = await discoverSsoTenant(ctx.storage.db, (req.query as { q: string }).q);
    if (!tenant) throw new AppError('not_found', 'no single sign-on found for this organisation or email; try your organisation\'s Parley name');
    return { tenant: tenant.slug, tenantName: tenant.name, startUrl: `/api/auth/sso/${encodeURIComponent(tenant.slug)}/start` };
  });

  app.get('/api/auth/sso/:tenant/start', { schema: { tags, summary: 'Go to the organisation\'s identity provider', params: TenantParams } }, async (req, reply) => {
    if (!starts.hit(req.ip)) throw new AppError('rate_limited', 'Too many sign-in attempts; try again later');
    try {
      const { url, binding } = await startSsoLogin(ctx, clients, (req.params as { tenant: string }).tenant);
      reply.setCookie(SSO_BINDING_COOKIE, binding, { httpOnly: true, secure: ctx.env.cookieSecure, sameSite: 'lax', path: BINDING_PATH, maxAge: SSO_STATE_TTL_MS / 1000 });
      return reply.redirect(url, 302);
    } catch (err) {
      return backToConsole(reply, err);
    }
  });

  app.get('/api/auth/sso/:tenant/callback', { schema: { tags, summary: 'Back from the identity provider: signs the agent in', params: TenantParams } }, async (req, reply) => {
    reply.clearCookie(SSO_BINDING_COOKIE, { path: BINDING_PATH });
    try {
      const slug = (req.params as { tenant: string }).tenant;
      // The registered redirect URI (PUBLIC_URL may carry a path prefix behind a proxy) with the provider's query.
      const url = new URL(ssoRedirectUri(ctx.env.publicUrl, slug));
      url.search = new URL(req.url, 'http://callback.invalid').search;
      const { token } = await finishSsoLogin(ctx, clients, sessions, slug, {
        url,
        binding: req.cookies[SSO_BINDING_COOKIE],
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
      });
      setSessionCookie(reply, ctx.env, token);
      return reply.redirect('/console/', 303);
    } catch (err) {
      return backToConsole(reply, err);
    }
  });

  const admin = (summary: string, parts: Omit<Parameters<ApiOp>[2], 'summary'> = {}) => op('admin', 'admin', { summary, ...parts });
  app.get('/api/admin/sso', admin('Single sign-on settings (the client secret is never shown)', { response: SsoSettingsView }), async (req) => ssoSettingsView(ctx, req.principal.tenantId));
  app.put('/api/admin/sso', admin('Set single sign-on: provider, allowed domains, role mapping, require SSO', { body: SsoSettingsBody, response: SsoSettingsView }), async (req) =>
    updateSsoSettings(ctx, clients, req.principal.agent, req.body as Body, req.principal.audit),
  );
  app.post('/api/admin/sso/scim-token', admin('Create or replace the SCIM token (shown once)', { response: ScimTokenCreated, status: 201 }), async (req, reply) =>
    reply.code(201).send({ token: await rotateScimToken(ctx, req.principal.tenantId, req.principal.audit), baseUrl: `${ctx.env.publicUrl}/scim/v2` }),
  );
  app.delete('/api/admin/sso/scim-token', admin('Revoke the SCIM token', { status: 204 }), async (req, reply) => {
    await revokeScimToken(ctx, req.principal.tenantId, req.principal.audit);
    return reply.code(204).send();
  });
  scimRoutes(app, ctx);
}
