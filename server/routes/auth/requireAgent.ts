import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { AgentSessions } from '../../commands/agentSessions.js';
import type { Agent, Session } from '../../storage/schema.js';
import { SESSION_COOKIE } from './sessionCookie.js';
import type { Env } from '../../env.js';
import { withAuthSpec } from './authSpec.js';

declare module 'fastify' {
  interface FastifyRequest {
    agent: Agent;
    session: Session;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * preHandler for every agent route: a valid session cookie, and on state-changing methods the
 * session's CSRF token in x-csrf-token plus a same-origin Origin header when the browser sends one.
 */
export function requireAgent(sessions: AgentSessions, env: Pick<Env, 'publicOrigin'>, opts: { allowTotpEnrolment?: boolean } = {}) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const auth = await sessions.resolve(req.cookies[SESSION_COOKIE], opts);
    if (!auth) {
      // A session that must enrol in two-factor first is valid for enrolment only.
      if (!opts.allowTotpEnrolment && (await sessions.resolve(req.cookies[SESSION_COOKIE], { allowTotpEnrolment: true }))) {
        throw new AppError('forbidden', 'Your organisation requires two-factor authentication: set it up first');
      }
      throw new AppError('unauthorized', 'Log in first');
    }
    if (!SAFE_METHODS.has(req.method)) {
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== env.publicOrigin) throw new AppError('csrf_failed', 'Cross-origin request refused');
      const token = req.headers['x-csrf-token'];
      if (!AgentSessions.csrfMatches(auth.session, typeof token === 'string' ? token : undefined)) {
        throw new AppError('csrf_failed', 'Missing or wrong x-csrf-token header');
      }
    }
    req.agent = auth.agent;
    req.session = auth.session;
  };
}

/**
 * preHandler for what an agent does to their own account (password, two-factor, signing out): the
 * console session only. An API key is refused with a reason, not a bare "Log in first": a key
 * belongs to the tenant's integration, not to the agent's person. `reason` ends "API keys cannot …".
 */
export function sessionOnly(sessions: AgentSessions, env: Pick<Env, 'publicOrigin'>, reason: string, opts: { allowTotpEnrolment?: boolean } = {}) {
  const bySession = requireAgent(sessions, env, opts);
  return withAuthSpec(
    async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (req.cookies[SESSION_COOKIE] === undefined && /^Bearer pk_/i.test(req.headers.authorization ?? '')) {
        throw new AppError('forbidden', `This route needs the console session: API keys cannot ${reason}`);
      }
      await bySession(req, reply);
    },
    { kind: 'session', reason },
  );
}
