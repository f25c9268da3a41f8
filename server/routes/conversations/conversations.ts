import type { FastifyInstance } from 'fastify';
import {
  AssignBody,
  ConversationListQuery,
  IdParams,
  MessageCreateBody,
  MessageListQuery,
  type ConversationListQuery as ListQuery,
} from '../../../protocol/http.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { assignConversation } from '../../commands/conversationAssigner.js';
import { setConversationStatus } from '../../commands/conversationStatusChanger.js';
import { createMessage } from '../../commands/messageCreator.js';
import { conversationView, listConversations } from '../../queries/conversationQueries.js';
import { messagesAfter } from '../../queries/messageQueries.js';
import { requireAgent } from '../auth/requireAgent.js';

export function conversationRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  const db = ctx.storage.db;
  const preHandler = requireAgent(sessions, ctx.env);
  type Id = { id: string };

  app.get('/api/conversations', { preHandler, schema: { querystring: ConversationListQuery } }, async (req) =>
    listConversations(db, req.agent.tenant_id, req.agent.id, req.query as ListQuery),
  );

  app.get('/api/conversations/:id', { preHandler, schema: { params: IdParams } }, async (req) =>
    conversationView(db, req.agent.tenant_id, (req.params as Id).id),
  );

  app.get('/api/conversations/:id/messages', { preHandler, schema: { params: IdParams, querystring: MessageListQuery } }, async (req) => {
    const { id } = req.params as Id;
    const q = req.query as { afterSeq?: number; limit?: number };
    await conversationView(db, req.agent.tenant_id, id); // 404 for another tenant's id
    return messagesAfter(db, req.agent.tenant_id, id, q.afterSeq ?? 0, { includeInternal: true, limit: q.limit });
  });

  app.post('/api/conversations/:id/messages', { preHandler, schema: { params: IdParams, body: MessageCreateBody } }, async (req, reply) => {
    const body = req.body as MessageCreateBody;
    const { message, duplicate } = await createMessage(ctx, { kind: 'agent', tenantId: req.agent.tenant_id, agent: req.agent }, {
      clientId: body.clientId,
      body: body.body,
      internal: body.internal,
      conversationId: (req.params as Id).id,
    });
    return reply.code(duplicate ? 200 : 201).send(message);
  });

  app.post('/api/conversations/:id/assign', { preHandler, schema: { params: IdParams, body: AssignBody } }, async (req) =>
    assignConversation(ctx, req.agent, (req.params as Id).id, (req.body as AssignBody).agentId),
  );

  app.post('/api/conversations/:id/resolve', { preHandler, schema: { params: IdParams } }, async (req) =>
    setConversationStatus(ctx, req.agent, (req.params as Id).id, 'resolved'),
  );

  app.post('/api/conversations/:id/reopen', { preHandler, schema: { params: IdParams } }, async (req) =>
    setConversationStatus(ctx, req.agent, (req.params as Id).id, 'open'),
  );
}
