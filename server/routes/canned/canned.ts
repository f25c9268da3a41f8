/** Canned responses: every agent reads them (the composer's /shortcuts); supervisors and admins edit. */
import type { FastifyInstance } from 'fastify';
import { CannedBody, IdParam, type CannedBody as CannedBodyT } from '../../../protocol/contactCentre.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { deleteCannedResponse, saveCannedResponse } from '../../commands/cannedResponseEditor.js';
import { presentCannedResponse } from '../../presenters/presenters.js';
import { requireAgent } from '../auth/requireAgent.js';

export function cannedRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  const preHandler = requireAgent(sessions, ctx.env);
  type Id = { id: string };
  app.get('/api/canned-responses', { preHandler }, async (req) => ({
    items: (await ctx.storage.db.selectFrom('canned_responses').selectAll().where('tenant_id', '=', req.agent.tenant_id).orderBy('shortcut').execute()).map(presentCannedResponse),
  }));
  app.post('/api/canned-responses', { preHandler, schema: { body: CannedBody } }, async (req, reply) => reply.code(201).send(await saveCannedResponse(ctx, req.agent, null, req.body as CannedBodyT)));
  app.put('/api/canned-responses/:id', { preHandler, schema: { params: IdParam, body: CannedBody } }, async (req) => saveCannedResponse(ctx, req.agent, (req.params as Id).id, req.body as CannedBodyT));
  app.delete('/api/canned-responses/:id', { preHandler, schema: { params: IdParam } }, async (req, reply) => {
    await deleteCannedResponse(ctx, req.agent, (req.params as Id).id);
    return reply.code(204).send();
  });
}
