/** Public side of invitations: what a link is for, and accepting it (name + password). */
import type { FastifyInstance } from 'fastify';
import { InvitationAcceptBody, InvitationInfo, InvitationTokenQuery, type InvitationAcceptBody as AcceptBody } from '../../../protocol/admin.js';
import { AgentView } from '../../../protocol/records.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { acceptInvitation, invitationInfo } from '../../commands/invitationAccepter.js';
import { RateLimiter } from '../../security/rateLimiter.js';

export function invitationRoutes(app: FastifyInstance, ctx: Ctx): void {
  // Tokens are 256 bits, but guessing is still throttled per address.
  const attempts = new RateLimiter(30, 15 * 60_000);
  const tags = ['auth'];
  const throttle = (ip: string) => {
    if (!attempts.hit(ip)) throw new AppError('rate_limited', 'Too many attempts; try again later');
  };
  app.get('/api/invitations', { schema: { tags, summary: 'Describe an invitation link', querystring: InvitationTokenQuery, response: { 200: InvitationInfo } } }, async (req) => {
    throttle(req.ip);
    return invitationInfo(ctx, (req.query as { token: string }).token);
  });
  app.post('/api/invitations/accept', { schema: { tags, summary: 'Accept an invitation: choose a name and password', body: InvitationAcceptBody, response: { 201: AgentView } } }, async (req, reply) => {
    if (req.headers.origin !== undefined && req.headers.origin !== ctx.env.publicOrigin) throw new AppError('csrf_failed', 'Cross-origin request refused');
    throttle(req.ip);
    return reply.code(201).send(await acceptInvitation(ctx, req.body as AcceptBody, req.ip));
  });
}
