import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';

/**
 * Ends an agent session of the tenant, named by the first 16 hex characters of its hash (the same
 * reference the audit log uses). The browser holding it is signed out at its next request.
 */
export async function revokeSession(ctx: Ctx, tenantId: string, ref: string, actor: AuditActor): Promise<void> {
  if (!/^[0-9a-f]{16}$/.test(ref)) throw new AppError('not_found', 'session not found');
  const db = ctx.storage.db;
  await db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('sessions').select(['id', 'agent_id']).where('tenant_id', '=', tenantId).where('id', 'like', `${ref}%`).execute();
    if (rows.length === 0) throw new AppError('not_found', 'session not found');
    await trx.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('id', 'in', rows.map((r) => r.id)).execute();
    await appendAudit(trx, actor, [{ tenantId, action: 'session.revoked', resourceType: 'session', resourceId: ref, details: { agentId: rows[0]!.agent_id } }]);
  });
}
