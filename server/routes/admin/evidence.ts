/**
 * GET /api/admin/evidence — the tenant's PCI DSS evidence pack for Parley's script (6.4.3 inventory
 * entry with the signed release history and proofs; 11.6.1 monitoring). Admin role or an API key
 * with the admin scope; the caller's own tenant only.
 */
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { evidencePack } from '../../security/evidencePack.js';
import type { Expected } from '../../security/pageMonitor.js';
import type { PageMonitorJob } from '../../security/pageMonitorJob.js';
import type { Transparency } from '../../security/transparency.js';
import { allowedOrigins } from '../../queries/tenantQueries.js';
import type { ApiOp } from '../api/apiRoute.js';
import type { PublicFiles } from '../../security/publicFiles.js';

export function evidenceRoutes(app: FastifyInstance, ctx: Ctx, op: ApiOp, files: PublicFiles, transparency: Transparency, monitor: PageMonitorJob, loader: () => Expected | null): void {
  const db = ctx.storage.db;
  app.get('/api/admin/evidence', op('admin', 'admin', { summary: 'PCI DSS 6.4.3 / 11.6.1 evidence pack for the Parley script on your pages' }), async (req) => {
    const tenantId = req.principal.tenantId;
    const expected = loader();
    if (!expected || !files.transparency) throw new AppError('unavailable', 'this node serves no verified release');
    const tenant = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow();
    const admins = await db.selectFrom('agents').select(['name', 'email']).where('tenant_id', '=', tenantId).where('role', '=', 'admin').where('disabled_at', 'is', null).orderBy('email').execute();
    const slug = tenant.slug;
    return evidencePack({
      publicUrl: ctx.env.publicUrl,
      loader: expected,
      transparency: files.transparency,
      checkpoint: transparency.releaseCheckpoint()!,
      tenant: { id: tenant.id, name: tenant.name, allowedOrigins: allowedOrigins(tenant) },
      admins,
      monitored: ctx.env.pageMonitor.filter((p) => p.tenant === slug).map((p) => ({ page: p.url, everyMs: ctx.env.pageMonitorMs })),
      lastChecks: monitor.last.get(tenantId) ?? [],
    });
  });
}
