/**
 * Service levels over the REST API: SLA policies (content:read / content:write; supervisors and
 * admins change them), the open conversations' clocks (conversations:read; the console's
 * countdowns) and the met/breached report as JSON and CSV (reports:read). Also starts the SLA job.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { IdParams, ReportQuery, type ReportQuery as ReportQ } from '../../../protocol/admin.js';
import { ConversationSlaView, SlaPolicyBody, SlaPolicyView, SlaReport, type SlaPolicyBody as Body } from '../../../protocol/sla.js';
import type { Ctx } from '../../context.js';
import { deleteSlaPolicy, saveSlaPolicy } from '../../commands/slaPolicyEditor.js';
import { SlaMonitor } from '../../commands/slaMonitor.js';
import { conversationSlaViews, slaPolicyViews, slaReport, slaReportCsv } from '../../queries/slaQueries.js';
import { resolvePeriod } from '../../queries/reportQueries.js';
import type { ApiOp } from '../api/apiRoute.js';

export function slaRoutes(app: FastifyInstance, ctx: Ctx, op: ApiOp): SlaMonitor {
  const db = ctx.storage.db;
  const tag = 'sla';
  type Id = { id: string };
  app.get('/api/sla-policies', op(tag, 'content:read', { summary: 'List SLA policies (one per team)', response: Type.Object({ items: Type.Array(SlaPolicyView) }) }), async (req) => ({
    items: await slaPolicyViews(db, req.principal.tenantId),
  }));
  app.post('/api/sla-policies', op(tag, 'content:write', { summary: 'Create an SLA policy for a team', body: SlaPolicyBody, response: SlaPolicyView, status: 201 }), async (req, reply) =>
    reply.code(201).send(await saveSlaPolicy(ctx, req.principal.agent, null, req.body as Body, req.principal.audit)),
  );
  app.put('/api/sla-policies/:id', op(tag, 'content:write', { summary: 'Change an SLA policy (conversations already measured keep their deadlines)', params: IdParams, body: SlaPolicyBody, response: SlaPolicyView }), async (req) =>
    saveSlaPolicy(ctx, req.principal.agent, (req.params as Id).id, req.body as Body, req.principal.audit),
  );
  app.delete('/api/sla-policies/:id', op(tag, 'content:write', { summary: 'Delete an SLA policy and its measurements', params: IdParams, status: 204 }), async (req, reply) => {
    await deleteSlaPolicy(ctx, req.principal.agent, (req.params as Id).id, req.principal.audit);
    return reply.code(204).send();
  });
  app.get(
    '/api/sla/conversations',
    op(tag, 'conversations:read', { summary: 'SLA clocks of the open conversations (deadlines, breaches): the inbox countdowns', response: Type.Object({ items: Type.Array(ConversationSlaView) }) }),
    async (req) => ({ items: await conversationSlaViews(db, req.principal.tenantId) }),
  );
  app.get('/api/reports/sla', op('reports', 'reports:read', { summary: 'SLA targets met, breached and pending, per policy and team', querystring: ReportQuery, response: SlaReport }), async (req) => {
    const p = resolvePeriod(req.query as ReportQ);
    return slaReport(db, req.principal.tenantId, p.from, p.to);
  });
  app.get(
    '/api/reports/sla.csv',
    op('reports', 'reports:read', { summary: 'The SLA report as CSV (one row per policy)', querystring: ReportQuery, response: Type.String(), mediaType: 'text/csv' }),
    async (req, reply) => {
      const p = resolvePeriod(req.query as ReportQ);
      const report = await slaReport(db, req.principal.tenantId, p.from, p.to);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="parley-sla-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"`)
        .send(slaReportCsv(report));
    },
  );
  return new SlaMonitor(ctx);
}
