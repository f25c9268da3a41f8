import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { AgentSessions } from '../../commands/agentSessions.js';
import type { Agent, Session } from '../../storage/schema.js';
import { SESSION_COOKIE } from './sessionCookie.js';
import type { Env } from '../../env.js';

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
