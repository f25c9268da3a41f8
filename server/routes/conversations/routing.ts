/** Transfer to an agent or a team, and the visitor context panel of a conversation. */
import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../protocol/http.js';
import { TransferBody, type TransferBody as TransferBodyT } from '../../../protocol/contactCentre.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { transferConversation } from '../../commands/conversationTransferer.js';
import { conversationView } from '../../queries/conversationQueries.js';
import { visitorContext } from '../../queries/visitorContextQueries.js';
import { audited, conversationExposures, recordAccess } from '../../security/accessAudit.js';
import { principalAccessor, requireAuth } from '../auth/requireAuth.js';

export function routingRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  type Id = { id: string };

  // The answer is the conversation's view (its visitor, last message): recorded like any other read.
  app.post('/api/conversations/:id/transfer', { preHandler: requireAuth(ctx, sessions, 'conversations:write'), schema: { params: IdParams, body: TransferBody } }, async (req) =>
    audited(ctx, principalAccessor(req.principal), 'conversation.transfer', await transferConversation(ctx, req.agent, (req.params as Id).id, req.body as TransferBodyT), (c) => conversationExposures(req.agent.tenant_id, [c])),
  );

  app.get('/api/conversations/:id/context', { preHandler: requireAuth(ctx, sessions, 'conversations:read'), schema: { params: IdParams } }, async (req) => {
    const tenantId = req.agent.tenant_id;
    const conv = await conversationView(ctx, tenantId, (req.params as Id).id); // 404 for another tenant's id
    const view = await visitorContext(ctx, tenantId, conv.visitor.id, conv.id);
    // The visitor's other conversations are read too: the access audit records each.
    await recordAccess(
      ctx,
      principalAccessor(req.principal),
      'visitor.context',
      [conv.id, ...view.history.map((h) => h.id)].map((id) => ({ tenantId, resourceType: 'conversation', resourceId: id, conversationId: id, visitorId: conv.visitor.id })),
    );
    return view;
  });
}
