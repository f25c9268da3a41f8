import type { FastifyReply } from 'fastify';
import type { Env } from '../../env.js';
import { SESSION_TTL_MS } from '../../commands/agentSessions.js';

export const SESSION_COOKIE = 'parley_session';

/** The agent session cookie, as every way of signing in sets it. */
export function setSessionCookie(reply: FastifyReply, env: Pick<Env, 'cookieSecure'>, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: env.cookieSecure, sameSite: 'strict', path: '/', maxAge: SESSION_TTL_MS / 1000 });
}
