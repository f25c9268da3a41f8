/** Knowledge-base articles (the bot's answers): agents read, admins write. */
import type { FastifyInstance } from 'fastify';
import { ArticleBody, IdParam, type ArticleBody as ArticleBodyT } from '../../../protocol/contactCentre.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { deleteArticle, saveArticle } from '../../commands/kbArticleEditor.js';
import { presentArticle } from '../../presenters/presenters.js';
import { requireAgent } from '../auth/requireAgent.js';

export function knowledgeBaseRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  const preHandler = requireAgent(sessions, ctx.env);
  type Id = { id: string };
  app.get('/api/kb/articles', { preHandler }, async (req) => ({
    items: (await ctx.storage.db.selectFrom('kb_articles').selectAll().where('tenant_id', '=', req.agent.tenant_id).orderBy('title').execute()).map(presentArticle),
  }));
  app.post('/api/kb/articles', { preHandler, schema: { body: ArticleBody } }, async (req, reply) => reply.code(201).send(await saveArticle(ctx, req.agent, null, req.body as ArticleBodyT)));
  app.put('/api/kb/articles/:id', { preHandler, schema: { params: IdParam, body: ArticleBody } }, async (req) => saveArticle(ctx, req.agent, (req.params as Id).id, req.body as ArticleBodyT));
  app.delete('/api/kb/articles/:id', { preHandler, schema: { params: IdParam } }, async (req, reply) => {
    await deleteArticle(ctx, req.agent, (req.params as Id).id);
    return reply.code(204).send();
  });
}
