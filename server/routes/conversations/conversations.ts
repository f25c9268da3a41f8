import type { FastifyInstance, FastifyRequest } from 'fastify';
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
import { notFound } from '../../errors.js';
import { principalAccessor, requireAuth } from '../auth/requireAuth.js';
import { searchConversations } from '../../queries/searchQueries.js';
import { audited, conversationExposures, messageExposure } from '../../security/accessAudit.js';
import Type from 'typebox';

const SearchQuery = Type.Object({ q: Type.String({ minLength: 1, maxLength: 200 }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false });

export function conversationRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  const db = ctx.storage.db;
  // Session cookie or API key (issue 6): reads need conversations:read, changes conversations:write.
  const read = requireAuth(ctx, sessions, 'conversations:read');
  const write = requireAuth(ctx, sessions, 'conversations:write');
  type Id = { id: string };
  // Every read and change below is recorded in the audit chain (security/accessAudit.ts).
  const who = (req: FastifyRequest) => principalAccessor(req.principal);

  app.get('/api/conversations', { preHandler: read, schema: { querystring: ConversationListQuery } }, async (req) =>
    audited(ctx, who(req), 'conversation.list', await listConversations(ctx, req.agent.tenant_id, req.agent.id, req.query as ListQuery), (r) => conversationExposures(req.agent.tenant_id, r.items)),
  );

  /** Conversations whose messages contain every word of q, found by blind-index tokens. */
  app.get('/api/conversations/search', { preHandler: read, schema: { querystring: SearchQuery } }, async (req) => {
    const { q, limit } = req.query as { q: string; limit?: number };
    const items = await searchConversations(ctx, req.agent.tenant_id, q, limit);
    return audited(ctx, who(req), 'conversation.search', { items, nextCursor: null }, (r) => conversationExposures(req.agent.tenant_id, r.items));
  });

  app.get('/api/conversations/:id', { preHandler: read, schema: { params: IdParams } }, async (req) =>
    audited(ctx, who(req), 'conversation.read', await conversationView(ctx, req.agent.tenant_id, (req.params as Id).id), (c) => conversationExposures(req.agent.tenant_id, [c])),
  );

  app.get('/api/conversations/:id/messages', { preHandler: read, schema: { params: IdParams, querystring: MessageListQuery } }, async (req) => {
    const { id } = req.params as Id;
    const q = req.query as { afterSeq?: number; limit?: number };
    const conv = await db.selectFrom('conversations').select(['id', 'visitor_id']).where('tenant_id', '=', req.agent.tenant_id).where('id', '=', id).executeTakeFirst();
    if (!conv) throw notFound('conversation'); // 404 for another tenant's id
    const page = await messagesAfter(ctx, req.agent.tenant_id, id, q.afterSeq ?? 0, { includeInternal: true, limit: q.limit });
    return audited(ctx, who(req), 'messages.read', page, (p) => messageExposure(req.agent.tenant_id, id, conv.visitor_id, p.items));
  });

  app.post('/api/conversations/:id/messages', { preHandler: write, schema: { params: IdParams, body: MessageCreateBody } }, async (req, reply) => {
    const body = req.body as MessageCreateBody;
    const { message, duplicate } = await createMessage(ctx, { kind: 'agent', tenantId: req.agent.tenant_id, agent: req.agent }, {
      clientId: body.clientId,
      body: body.body,
      internal: body.internal,
      conversationId: (req.params as Id).id,
    });
    const conv = await conversationView(ctx, req.agent.tenant_id, message.conversationId);
    await audited(ctx, who(req), 'message.create', null, [{ tenantId: req.agent.tenant_id, resourceType: 'messages', resourceId: message.id, conversationId: conv.id, visitorId: conv.visitor.id, details: { seq: message.seq, internal: message.internal } }]);
    return reply.code(duplicate ? 200 : 201).send(message);
  });

  app.post('/api/conversations/:id/assign', { preHandler: write, schema: { params: IdParams, body: AssignBody } }, async (req) =>
    audited(ctx, who(req), 'conversation.assign', await assignConversation(ctx, req.agent, (req.params as Id).id, (req.body as AssignBody).agentId), (c) => conversationExposures(req.agent.tenant_id, [c])),
  );

  app.post('/api/conversations/:id/resolve', { preHandler: write, schema: { params: IdParams } }, async (req) =>
    audited(ctx, who(req), 'conversation.resolve', await setConversationStatus(ctx, req.agent, (req.params as Id).id, 'resolved'), (c) => conversationExposures(req.agent.tenant_id, [c])),
  );

  app.post('/api/conversations/:id/reopen', { preHandler: write, schema: { params: IdParams } }, async (req) =>
    audited(ctx, who(req), 'conversation.reopen', await setConversationStatus(ctx, req.agent, (req.params as Id).id, 'open'), (c) => conversationExposures(req.agent.tenant_id, [c])),
  );
}
