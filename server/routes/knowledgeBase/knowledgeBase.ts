/** Knowledge-base articles (the bot's answers): agents read, admins write. */
import type { FastifyInstance } from 'fastify';
import { ArticleBody } from '../../../protocol/contactCentre.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { deleteArticle, saveArticle } from '../../commands/kbArticleEditor.js';
import { presentArticle } from '../../presenters/presenters.js';
import { apiOps } from '../api/apiRoute.js';
import { editableListRoutes } from '../editableListRoutes.js';

export function knowledgeBaseRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  editableListRoutes(app, apiOps(ctx, sessions), 'articles', '/api/kb/articles', ArticleBody, {
    items: async (agent) => (await ctx.storage.db.selectFrom('kb_articles').selectAll().where('tenant_id', '=', agent.tenant_id).orderBy('title').execute()).map(presentArticle),
    save: (agent, id, body) => saveArticle(ctx, agent, id, body),
    remove: (agent, id) => deleteArticle(ctx, agent, id),
  });
}
