/**
 * Proactive messages (issue 20 item 4). For the tenant (REST API): the rules (content:read /
 * content:write; admins change them, audited) and the shown / opened / replied report as JSON and CSV
 * (reports:read). For the widget frame: ask whether a message shows now, and report that the shopper
 * opened the chat with it or replied to it (a visitor token when the frame has one; public otherwise,
 * limited per address).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { IdParams, ReportQuery, type ReportQuery as ReportQ } from '../../../protocol/admin.js';
import {
  ProactiveAnswer,
  ProactiveAskBody,
  ProactiveEventBody,
  ProactiveReport,
  ProactiveRuleBody,
  ProactiveRuleView,
  type ProactiveAskBody as AskBody,
  type ProactiveEventBody as EventBody,
  type ProactiveRuleBody as Body,
} from '../../../protocol/proactive.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { deleteProactiveRule, saveProactiveRule } from '../../commands/proactiveRuleEditor.js';
import { askProactive, recordProactiveEvent } from '../../commands/proactiveDelivery.js';
import { proactiveReport, proactiveReportCsv, proactiveRuleViews } from '../../queries/proactiveQueries.js';
import { resolvePeriod } from '../../queries/reportQueries.js';
import { findTenantByWidgetKey } from '../../queries/tenantQueries.js';
import { AbuseLimits } from '../../security/abuseLimits.js';
import type { ApiOp } from '../api/apiRoute.js';

export function proactiveRoutes(app: FastifyInstance, ctx: Ctx, op: ApiOp): void {
  const db = ctx.storage.db;
  const tag = 'proactive';
  type Id = { id: string };
  app.get('/api/proactive-rules', op(tag, 'content:read', { summary: 'List proactive-message rules (tried oldest first)', response: Type.Object({ items: Type.Array(ProactiveRuleView) }) }), async (req) => ({
    items: await proactiveRuleViews(db, req.principal.tenantId),
  }));
  app.post('/api/proactive-rules', op(tag, 'content:write', { summary: 'Create a proactive-message rule (admins)', body: ProactiveRuleBody, response: ProactiveRuleView, status: 201 }), async (req, reply) =>
    reply.code(201).send(await saveProactiveRule(ctx, req.principal.agent, null, req.body as Body, req.principal.audit)),
  );
  app.put('/api/proactive-rules/:id', op(tag, 'content:write', { summary: 'Change a proactive-message rule (admins)', params: IdParams, body: ProactiveRuleBody, response: ProactiveRuleView }), async (req) =>
    saveProactiveRule(ctx, req.principal.agent, (req.params as Id).id, req.body as Body, req.principal.audit),
  );
  app.delete('/api/proactive-rules/:id', op(tag, 'content:write', { summary: 'Delete a proactive-message rule and its counts (admins)', params: IdParams, status: 204 }), async (req, reply) => {
    await deleteProactiveRule(ctx, req.principal.agent, (req.params as Id).id, req.principal.audit);
    return reply.code(204).send();
  });
  app.get('/api/reports/proactive', op('reports', 'reports:read', { summary: 'Proactive messages shown, opened and replied to, per rule', querystring: ReportQuery, response: ProactiveReport }), async (req) => {
    const p = resolvePeriod(req.query as ReportQ);
    return proactiveReport(db, req.principal.tenantId, p.from, p.to);
  });
  app.get(
    '/api/reports/proactive.csv',
    op('reports', 'reports:read', { summary: 'The proactive-message report as CSV (one row per rule)', querystring: ReportQuery, response: Type.String(), mediaType: 'text/csv' }),
    async (req, reply) => {
      const p = resolvePeriod(req.query as ReportQ);
      const report = await proactiveReport(db, req.principal.tenantId, p.from, p.to);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="parley-proactive-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"`)
        .send(proactiveReportCsv(report));
    },
  );

  // ---------- the widget frame ----------
  const limits = new AbuseLimits(ctx.env.rateLimits);
  /** The tenant of the widget key, and the visitor of the token if one is sent (it must be that tenant's). */
  async function widgetVisitor(req: FastifyRequest, key: string): Promise<{ tenantId: string; visitorId: string | null }> {
    const tenant = await findTenantByWidgetKey(db, key);
    if (!tenant) throw new AppError('not_found', 'widget key not found');
    const auth = req.headers.authorization;
    if (auth === undefined) return { tenantId: tenant.id, visitorId: null };
    const claim = typeof auth === 'string' && auth.startsWith('Bearer ') ? ctx.visitorTokens.verify(auth.slice(7)) : null;
    if (!claim || claim.tenantId !== tenant.id) throw new AppError('unauthorized', 'the visitor token is not valid for this widget');
    return { tenantId: tenant.id, visitorId: claim.visitorId };
  }
  const tags = ['widget'];
  app.post(
    '/api/widget/proactive',
    { schema: { tags, summary: 'Whether a proactive message shows now, from what the page declared, the seconds on the page and the identity', body: ProactiveAskBody, response: { 200: ProactiveAnswer } } },
    async (req) => {
      limits.proactiveFromAddress(req.ip);
      const body = req.body as AskBody;
      const visitor = await widgetVisitor(req, body.key);
      return askProactive(ctx, { ...visitor, visitorKey: body.visitorKey }, body);
    },
  );
  app.post(
    '/api/widget/proactive/events',
    { schema: { tags, summary: 'The shopper opened the chat with a proactive message shown, or replied to it (replied: visitor token)', body: ProactiveEventBody, response: { 204: { type: 'null', description: 'Recorded' } } } },
    async (req, reply) => {
      limits.proactiveFromAddress(req.ip);
      const body = req.body as EventBody;
      const visitor = await widgetVisitor(req, body.key);
      await recordProactiveEvent(ctx, visitor.tenantId, body, visitor.visitorId);
      return reply.code(204).send();
    },
  );
}
