/** Analytics over the API and as CSV. Supervisors and admins, or keys with reports:read. */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { Report, ReportCsvQuery, ReportQuery, type ReportCsvQuery as CsvQ } from '../../../protocol/admin.js';
import type { Ctx } from '../../context.js';
import { buildReport, reportCsv, resolvePeriod } from '../../queries/reportQueries.js';
import type { ApiOp } from './apiRoute.js';

export function reportRoutes(app: FastifyInstance, ctx: Ctx, op: ApiOp): void {
  const db = ctx.storage.db;
  app.get('/api/reports', op('reports', 'reports:read', { summary: 'Volume, first response, resolution and satisfaction, overall, per agent and per team', querystring: ReportQuery, response: Report }), async (req) =>
    buildReport(db, req.principal.tenantId, resolvePeriod(req.query as ReportQuery)),
  );
  app.get(
    '/api/reports/export.csv',
    op('reports', 'reports:read', { summary: 'One report table as CSV (volume, agents or teams)', querystring: ReportCsvQuery, response: Type.String(), mediaType: 'text/csv' }),
    async (req, reply) => {
      const q = req.query as CsvQ;
      const table = q.table ?? 'agents';
      const report = await buildReport(db, req.principal.tenantId, resolvePeriod(q));
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="parley-${table}-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"`)
        .send(reportCsv(report, table));
    },
  );
}
