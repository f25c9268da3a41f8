/** Developer API: visitors and agents of the caller's tenant. Visitor reads are recorded in the access audit. */
import type { FastifyInstance } from 'fastify';
import { AgentList, IdParams, PageQuery, VisitorList } from '../../../protocol/admin.js';
import { VisitorView } from '../../../protocol/records.js';
import type { Ctx } from '../../context.js';
import { listAgents, listVisitors, visitorView } from '../../queries/directoryQueries.js';
import { audited } from '../../security/accessAudit.js';
import { principalAccessor } from '../auth/requireAuth.js';
import type { ApiOp } from './apiRoute.js';

export function directoryRoutes(app: FastifyInstance, ctx: Ctx, op: ApiOp): void {
  type Q = { limit?: number; cursor?: string };
  const visitorExposures = (tenantId: string, items: Array<{ id: string }>) => items.map((v) => ({ tenantId, resourceType: 'visitor' as const, resourceId: v.id, visitorId: v.id }));
  app.get('/api/visitors', op('visitors', 'visitors:read', { summary: 'List visitors, newest first', querystring: PageQuery, response: VisitorList }), async (req) => {
    const page = await listVisitors(ctx, req.principal.tenantId, req.query as Q);
    return audited(ctx, principalAccessor(req.principal), 'visitor.list', page, (p) => visitorExposures(req.principal.tenantId, p.items));
  });
  app.get('/api/visitors/:id', op('visitors', 'visitors:read', { summary: 'Get a visitor', params: IdParams, response: VisitorView }), async (req) => {
    const v = await visitorView(ctx, req.principal.tenantId, (req.params as { id: string }).id);
    return audited(ctx, principalAccessor(req.principal), 'visitor.read', v, (x) => visitorExposures(req.principal.tenantId, [x]));
  });
  app.get('/api/agents', op('agents', 'agents:read', { summary: 'List active agents', querystring: PageQuery, response: AgentList }), async (req) =>
    listAgents(ctx.storage.db, req.principal.tenantId, req.query as Q),
  );
}
