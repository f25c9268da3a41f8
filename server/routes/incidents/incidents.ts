/**
 * Security incidents an agent may see: its own tenant's, and platform-wide ones (tenant_id null,
 * e.g. a tampered release). Never another tenant's. Any agent's session or any API key of the tenant.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { IncidentView } from '../../../protocol/records.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { presentIncident } from '../../presenters/presenters.js';
import { requireAuth } from '../auth/requireAuth.js';

const IncidentQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('all')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export function incidentRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  app.get('/api/incidents', { preHandler: requireAuth(ctx, sessions, null), schema: { querystring: IncidentQuery } }, async (req): Promise<{ items: IncidentView[] }> => {
    const q = req.query as { status?: 'open' | 'all'; limit?: number };
    let query = ctx.storage.db
      .selectFrom('incidents')
      .selectAll()
      .where((eb) => eb.or([eb('tenant_id', '=', req.agent.tenant_id), eb('tenant_id', 'is', null)]));
    if (q.status !== 'all') query = query.where('resolved_at', 'is', null);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit ?? 50).execute();
    return { items: rows.map(presentIncident) };
  });
}
