/**
 * Privacy and breach-response endpoints (issue 4), tenant admins only, every call audited:
 * - GET    /api/admin/exposure?actor=&credential=&address=&from=&to=&format=json|csv — exposure report of the admin's tenant
 * - GET    /api/visitors/:id/export — GDPR access request: everything stored about one visitor (JSON)
 * - DELETE /api/visitors/:id — GDPR erasure: the visitor, their conversations, messages and search tokens
 * - GET|PUT /api/admin/privacy — retention period (days) and extra redaction patterns
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { IdParams } from '../../../protocol/http.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { AppError } from '../../errors.js';
import { principalAccessor, requireAuth } from '../auth/requireAuth.js';
import { audited, recordAccess } from '../../security/accessAudit.js';
import { eraseVisitor, exportVisitor } from '../../security/dataLifecycle.js';
import { exposureCsv, exposureReport, parseTime } from '../../security/exposureReport.js';
import { setTenantPatterns } from '../../security/redactionPatterns.js';
import { MAX_PATTERNS, MAX_PATTERN_CHARS } from '../../security/redactionPatterns.js';

const ExposureQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ maxLength: 64 })),
    credential: Type.Optional(Type.String({ maxLength: 100 })),
    address: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ maxLength: 40 })),
    to: Type.Optional(Type.String({ maxLength: 40 })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);

const PrivacySettings = Type.Object(
  {
    retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    redactionPatterns: Type.Optional(Type.Array(Type.String({ maxLength: MAX_PATTERN_CHARS }), { maxItems: MAX_PATTERNS })),
  },
  { additionalProperties: false },
);

export function privacyRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions): void {
  const db = ctx.storage.db;
  // The console session of an admin, or an API key with the admin scope (whose creator is still an admin).
  const adminOnly = requireAuth(ctx, sessions, 'admin');
  const who = (req: FastifyRequest) => principalAccessor(req.principal);

  app.get('/api/admin/exposure', { preHandler: adminOnly, schema: { querystring: ExposureQuery } }, async (req, reply) => {
    const q = req.query as { actor?: string; credential?: string; address?: string; from?: string; to?: string; format?: 'json' | 'csv' };
    const report = await exposureReport(
      ctx,
      {
        tenantId: req.agent.tenant_id, // a tenant admin sees their own tenant only
        actorId: q.actor,
        credential: q.credential,
        address: q.address,
        from: q.from === undefined ? undefined : parseTime(q.from, 'from'),
        to: q.to === undefined ? undefined : parseTime(q.to, 'to'),
      },
      who(req),
    );
    if (q.format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="exposure.csv"').send(exposureCsv(report));
    return report;
  });

  app.get('/api/visitors/:id/export', { preHandler: adminOnly, schema: { params: IdParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const data = await exportVisitor(ctx, req.agent.tenant_id, id);
    await audited(ctx, who(req), 'visitor.export', null, [
      { tenantId: req.agent.tenant_id, resourceType: 'visitor', visitorId: id, details: { conversations: data.conversations.length } },
      ...data.conversations.map((c) => ({ tenantId: req.agent.tenant_id, resourceType: 'messages' as const, conversationId: c.id, visitorId: id, details: { count: c.messages.length } })),
    ]);
    return reply.header('content-disposition', `attachment; filename="visitor-${id}.json"`).send(data);
  });

  app.delete('/api/visitors/:id', { preHandler: adminOnly, schema: { params: IdParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const exists = await db.selectFrom('visitors').select('id').where('tenant_id', '=', req.agent.tenant_id).where('id', '=', id).executeTakeFirst();
    if (!exists) throw new AppError('not_found', 'visitor not found');
    // Recorded before the erasure, so the chain says who erased what even if the request dies half-way.
    await recordAccess(ctx, who(req), 'visitor.erase', [{ tenantId: req.agent.tenant_id, resourceType: 'visitor', visitorId: id }]);
    await eraseVisitor(ctx, req.agent.tenant_id, id);
    return reply.code(204).send();
  });

  app.get('/api/admin/privacy', { preHandler: adminOnly }, async (req) => {
    const t = await db.selectFrom('tenants').select(['retention_days', 'redaction_patterns']).where('id', '=', req.agent.tenant_id).executeTakeFirstOrThrow();
    return { retentionDays: t.retention_days, redactionPatterns: JSON.parse(t.redaction_patterns) as string[] };
  });

  app.put('/api/admin/privacy', { preHandler: adminOnly, schema: { body: PrivacySettings } }, async (req) => {
    const body = req.body as { retentionDays?: number; redactionPatterns?: string[] };
    if (body.redactionPatterns) await setTenantPatterns(ctx.storage, req.agent.tenant_id, body.redactionPatterns);
    if (body.retentionDays !== undefined) await db.updateTable('tenants').set({ retention_days: body.retentionDays }).where('id', '=', req.agent.tenant_id).execute();
    await recordAccess(ctx, who(req), 'tenant.privacy_settings', [{ tenantId: req.agent.tenant_id, resourceType: 'tenant', resourceId: req.agent.tenant_id, details: { retentionDays: body.retentionDays, redactionPatterns: body.redactionPatterns?.length } }]);
    const t = await db.selectFrom('tenants').select(['retention_days', 'redaction_patterns']).where('id', '=', req.agent.tenant_id).executeTakeFirstOrThrow();
    return { retentionDays: t.retention_days, redactionPatterns: JSON.parse(t.redaction_patterns) as string[] };
  });
}
