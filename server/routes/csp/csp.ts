/**
 * CSP reporting for tenants. Browsers POST violation reports to /api/csp/:reportKey in either format
 * (`application/csp-report` from report-uri, `application/reports+json` from report-to); admins read
 * the proposed policy, the blocked destinations and the recent reports.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import {
  CSP_LIMITS,
  CspReportQuery,
  CspReportUriBody,
  CspViolationReportBody,
  ReportingApiBody,
  type CspDestinationList,
  type CspProposal,
  type CspReportList,
} from '../../../protocol/csp.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { AppError } from '../../errors.js';
import { describeErrors } from '../../validation.js';
import { requireAuth } from '../auth/requireAuth.js';
import {
  CspLimits,
  cspReportKey,
  directiveOf,
  presentCspDestination,
  presentCspReport,
  proposeCsp,
  receiveCspReports,
  type Violation,
} from '../../security/cspReports.js';

const reportUriCheck = Compile(CspReportUriBody);
const reportingApiCheck = Compile(ReportingApiBody);
const violationCheck = Compile(CspViolationReportBody);
const KeyParams = Type.Object({ reportKey: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

function invalid(where: string, errors: Parameters<typeof describeErrors>[0]): AppError {
  const issue = describeErrors(errors);
  return new AppError('validation_failed', `${where}${issue.instancePath} ${issue.message}`);
}

/** Both wire formats to one list of violations; anything malformed rejects the whole request. */
export function parseCspReportBody(contentType: string, body: unknown): Violation[] {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/reports+json') {
    if (!reportingApiCheck.Check(body)) throw invalid('body', [...reportingApiCheck.Errors(body)]);
    const out: Violation[] = [];
    body.forEach((report, i) => {
      if (report.type !== 'csp-violation') return; // other report types (deprecation, …) are not ours
      if (!violationCheck.Check(report.body)) throw invalid(`body/${i}/body`, [...violationCheck.Errors(report.body)]);
      const b = report.body;
      out.push({
        format: 'reporting-api',
        documentUrl: b.documentURL,
        blockedUrl: b.blockedURL ?? null,
        directive: directiveOf(b.effectiveDirective, null),
        sourceFile: b.sourceFile ?? null,
        line: b.lineNumber ?? null,
        disposition: b.disposition ?? 'enforce',
      });
    });
    return out;
  }
  if (type === 'application/csp-report' || type === 'application/json') {
    if (!reportUriCheck.Check(body)) throw invalid('body', [...reportUriCheck.Errors(body)]);
    const r = body['csp-report'];
    return [
      {
        format: 'report-uri',
        documentUrl: r['document-uri'],
        blockedUrl: r['blocked-uri'] ?? null,
        directive: directiveOf(r['effective-directive'], r['violated-directive']),
        sourceFile: r['source-file'] ?? null,
        line: r['line-number'] ?? null,
        disposition: r.disposition ?? 'enforce',
      },
    ];
  }
  throw new AppError('bad_request', 'send application/csp-report or application/reports+json');
}

function requireAdmin(req: FastifyRequest): void {
  if (req.agent.role !== 'admin') throw new AppError('forbidden', 'only admins can read CSP reports');
}

export async function cspRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): Promise<void> {
  const db = ctx.storage.db;
  const limits = new CspLimits();
  // An admin's session, or an API key with the admin scope.
  const adminOnly = requireAuth(ctx, sessions, 'admin');

  app.get('/api/tenant/csp', { preHandler: adminOnly }, async (req): Promise<CspProposal> => {
    requireAdmin(req);
    return proposeCsp(ctx.env.publicUrl, await cspReportKey(db, req.agent.tenant_id));
  });

  app.get('/api/csp/destinations', { preHandler: adminOnly }, async (req): Promise<CspDestinationList> => {
    requireAdmin(req);
    const rows = await db.selectFrom('csp_destinations').selectAll().where('tenant_id', '=', req.agent.tenant_id).orderBy('last_seen_at', 'desc').limit(500).execute();
    return { items: rows.map(presentCspDestination) };
  });

  app.get('/api/csp/reports', { preHandler: adminOnly, schema: { querystring: CspReportQuery } }, async (req): Promise<CspReportList> => {
    requireAdmin(req);
    const q = req.query as { destination?: string; limit?: number };
    let query = db.selectFrom('csp_reports').selectAll().where('tenant_id', '=', req.agent.tenant_id);
    if (q.destination) query = query.where('destination', '=', q.destination);
    const rows = await query.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(q.limit ?? 50).execute();
    return { items: rows.map(presentCspReport) };
  });

  // The intake, in its own scope so its body parsers and CORS headers apply to it alone.
  await app.register(async (scoped) => {
    scoped.addContentTypeParser(['application/csp-report', 'application/reports+json'], { parseAs: 'string', bodyLimit: CSP_LIMITS.maxBodyBytes }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new AppError('bad_request', 'body is not valid JSON'), undefined);
      }
    });
    scoped.addHook('onSend', async (_req, reply, payload) => {
      // Browsers post reports from tenants' pages (another origin); the Reporting API preflights.
      reply.header('access-control-allow-origin', '*');
      return payload;
    });
    scoped.options('/api/csp/:reportKey', (_req, reply) =>
      reply.code(204).header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '86400').send(),
    );
    scoped.post('/api/csp/:reportKey', { schema: { params: KeyParams }, bodyLimit: CSP_LIMITS.maxBodyBytes }, async (req, reply) => {
      const { reportKey } = req.params as { reportKey: string };
      const endpoint = await db
        .selectFrom('csp_endpoints')
        .innerJoin('tenants', 'tenants.id', 'csp_endpoints.tenant_id')
        .select(['tenants.id as tenantId', 'tenants.allowed_origins as allowedOrigins'])
        .where('csp_endpoints.report_key', '=', reportKey)
        .executeTakeFirst();
      if (!endpoint) throw new AppError('not_found', 'unknown report endpoint');
      const violations = parseCspReportBody(String(req.headers['content-type'] ?? ''), req.body);
      if (violations.length === 0) return reply.code(204).send();
      limits.take(endpoint.tenantId, req.ip, violations.length);
      await receiveCspReports(ctx, endpoint.tenantId, JSON.parse(endpoint.allowedOrigins) as string[], violations);
      return reply.code(204).send();
    });
  });
}
