/** Transfer to an agent or a team, and the visitor context panel of a conversation. */
import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../protocol/http.js';
import { TransferBody, type TransferBody as TransferBodyT } from '../../../protocol/contactCentre.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { transferConversation } from '../../commands/conversationTransferer.js';
import { conversationView } from '../../queries/conversationQueries.js';
import { visitorContext } from '../../queries/visitorContextQueries.js';
import { agentAccessor, recordAccess } from '../../security/accessAudit.js';
import { requireAgent } from '../auth/requireAgent.js';

export function routingRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  const preHandler = requireAgent(sessions, ctx.env);
  type Id = { id: string };

  app.post('/api/conversations/:id/transfer', { preHandler, schema: { params: IdParams, body: TransferBody } }, async (req) =>
    transferConversation(ctx, req.agent, (req.params as Id).id, req.body as TransferBodyT),
  );

  app.get('/api/conversations/:id/context', { preHandler, schema: { params: IdParams } }, async (req) => {
    const tenantId = req.agent.tenant_id;
    const conv = await conversationView(ctx, tenantId, (req.params as Id).id); // 404 for another tenant's id
    const view = await visitorContext(ctx, tenantId, conv.visitor.id, conv.id);
    // The visitor's other conversations are read too: the access audit records each.
    await recordAccess(
      ctx,
      agentAccessor(req.agent, req.session, req.ip),
      'visitor.context',
      [conv.id, ...view.history.map((h) => h.id)].map((id) => ({ tenantId, resourceType: 'conversation', resourceId: id, conversationId: id, visitorId: conv.visitor.id })),
    );
    return view;
  });
}
