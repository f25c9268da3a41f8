import type { AgentAdminView, AgentUpdateBody } from '../../protocol/admin.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { appendAudit, type AuditActor } from '../security/auditLog.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { agentAdminView } from '../queries/adminQueries.js';
import type { Agent } from '../storage/schema.js';

/**
 * Changes an agent's role, name or enabled state. Disabling signs the agent out everywhere (its
 * sessions are deleted; its API keys stop working). A tenant always keeps one enabled admin.
 */
export async function updateAgent(ctx: Ctx, admin: Pick<Agent, 'tenant_id'>, agentId: string, patch: AgentUpdateBody, actor: AuditActor): Promise<AgentAdminView> {
  const db = ctx.storage.db;
  const tenantId = admin.tenant_id;
  const target = assertSameTenant({ tenantId }, await db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst(), 'agent');
  const losesAdmin = target.role === 'admin' && target.disabled_at === null && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
  await db.transaction().execute(async (trx) => {
    if (losesAdmin) {
      const admins = await trx.selectFrom('agents').select('id').where('tenant_id', '=', tenantId).where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
      if (admins.length <= 1) throw new AppError('conflict', 'a tenant needs at least one enabled admin');
    }
    const set: Partial<Pick<Agent, 'role' | 'name' | 'disabled_at'>> = {};
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.name !== undefined) set.name = patch.name.trim();
    if (patch.disabled !== undefined) set.disabled_at = patch.disabled ? (target.disabled_at ?? Date.now()) : null;
    if (Object.keys(set).length) await trx.updateTable('agents').set(set).where('id', '=', target.id).where('tenant_id', '=', tenantId).execute();
    if (patch.disabled === true) await trx.deleteFrom('sessions').where('agent_id', '=', target.id).where('tenant_id', '=', tenantId).execute();
    await appendAudit(trx, actor, [{ tenantId, action: 'agent.updated', resourceType: 'agent', resourceId: target.id, details: { ...patch } }]);
  });
  return agentAdminView(db, tenantId, target.id);
}
