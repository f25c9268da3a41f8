/** Public side of invitations: what a link is for, and accepting it (name + password). */
import type { FastifyInstance } from 'fastify';
import { InvitationAcceptBody, InvitationInfo, InvitationTokenQuery, type InvitationAcceptBody as AcceptBody } from '../../../protocol/admin.js';
import { AgentView } from '../../../protocol/records.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { acceptInvitation, invitationInfo } from '../../commands/invitationAccepter.js';
import { codeAttemptsOf } from '../../security/codeAttempts.js';

export function invitationRoutes(app: FastifyInstance, ctx: Ctx): void {
  // Tokens are 256 bits, but guessing is still limited per address, by the one code limiter.
  const codes = codeAttemptsOf(ctx);
  const tags = ['auth'];
  const checked = async <T>(ip: string, check: () => Promise<T>): Promise<T> => {
    codes.assertAllowed('invitation', ip);
    try {
      return await check();
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') codes.failed('invitation', ip);
      throw err;
    }
  };
  app.get('/api/invitations', { schema: { tags, summary: 'Describe an invitation link', querystring: InvitationTokenQuery, response: { 200: InvitationInfo } } }, async (req) =>
    checked(req.ip, () => invitationInfo(ctx, (req.query as { token: string }).token)),
  );
  app.post('/api/invitations/accept', { schema: { tags, summary: 'Accept an invitation: choose a name and password', body: InvitationAcceptBody, response: { 201: AgentView } } }, async (req, reply) => {
    if (req.headers.origin !== undefined && req.headers.origin !== ctx.env.publicOrigin) throw new AppError('csrf_failed', 'Cross-origin request refused');
    return reply.code(201).send(await checked(req.ip, () => acceptInvitation(ctx, req.body as AcceptBody, req.ip)));
  });
}
