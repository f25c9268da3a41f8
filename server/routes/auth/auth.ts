import type { FastifyInstance } from 'fastify';
import { LoginBody, type SessionInfo } from '../../../protocol/http.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { AgentSessions, SESSION_TTL_MS } from '../../commands/agentSessions.js';
import { presentAgent, presentTenant } from '../../presenters/presenters.js';
import type { Agent, Session } from '../../storage/schema.js';
import { sessionOnly } from './requireAgent.js';
import { requireAuth } from './requireAuth.js';
import { SESSION_COOKIE } from './sessionCookie.js';
import { DEVICE_COOKIE, DEVICE_TTL_MS } from '../../security/knownDevices.js';
import { totpState } from '../../queries/securityQueries.js';

export function authRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  const db = ctx.storage.db;
  /** `session` null: the caller is an API key (`apiKey`), which has no CSRF token. */
  const sessionInfo = async (agent: Agent, session: Session | null, apiKey?: SessionInfo['apiKey']): Promise<SessionInfo> => {
    const tenant = await db.selectFrom('tenants').selectAll().where('id', '=', agent.tenant_id).executeTakeFirstOrThrow();
    const totp = await totpState(db, agent);
    const operator = await db.selectFrom('platform_operators').select('agent_id').where('agent_id', '=', agent.id).executeTakeFirst();
    return {
      agent: presentAgent(agent),
      tenant: presentTenant(tenant),
      csrfToken: session?.csrf_token ?? '',
      ...(apiKey ? { apiKey } : {}),
      security: { totpEnabled: totp.enabled, totpEnrolmentRequired: totp.enrolmentRequired, operator: !!operator },
    };
  };

  app.post('/api/auth/login', { schema: { body: LoginBody } }, async (req, reply) => {
    // No session yet, so no CSRF token: refuse cross-origin logins instead (login CSRF).
    if (req.headers.origin !== undefined && req.headers.origin !== ctx.env.publicOrigin) {
      throw new AppError('csrf_failed', 'Cross-origin login refused');
    }
    const body = req.body as LoginBody;
    const { token, session, agent, device } = await sessions.login(body.email, body.password, req.ip, req.headers['user-agent'] ?? null, body.totp, req.cookies[DEVICE_COOKIE]);
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      secure: ctx.env.cookieSecure,
      sameSite: 'strict',
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    // This browser is now a known device of the agent (security/knownDevices.ts); sent to sign-in only.
    reply.setCookie(DEVICE_COOKIE, device, { httpOnly: true, secure: ctx.env.cookieSecure, sameSite: 'strict', path: '/api/auth/login', maxAge: DEVICE_TTL_MS / 1000 });
    return sessionInfo(agent, session);
  });

  // An agent who must still enrol in two-factor may read who they are and sign out. An API key
  // learns here which agent it acts as and what it may do now.
  app.get('/api/auth/me', { preHandler: requireAuth(ctx, sessions, null, { allowTotpEnrolment: true }) }, async (req) => {
    const p = req.principal;
    return p.via === 'api_key' ? sessionInfo(p.agent, null, { id: p.apiKeyId!, scopes: [...p.scopes] }) : sessionInfo(req.agent, req.session);
  });

  app.post('/api/auth/logout', { preHandler: sessionOnly(sessions, ctx.env, 'sign a console session out', { allowTotpEnrolment: true }) }, async (req, reply) => {
    await sessions.logout(req.cookies[SESSION_COOKIE]!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });
}
