/**
 * Create, change and delete SLA policies (one per team). Admins and supervisors (content:write);
 * audited. A change applies to conversations that start waiting from then on: clocks already
 * running keep the deadlines they were given.
 */
import type { SlaPolicyBody, SlaPolicyView } from '../../protocol/sla.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { isSupervisor } from '../policies/contactCentrePolicy.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import type { AuditActor } from '../security/auditLog.js';
import { appendAudit } from '../security/auditLog.js';
import { newId } from '../security/ids.js';
import { slaPolicyView } from '../queries/slaQueries.js';
import type { Agent } from '../storage/schema.js';
import { forgetSlaPolicies } from './slaTracker.js';

function assertMayEdit(agent: Agent): void {
  if (!isSupervisor(agent)) throw new AppError('forbidden', 'Only supervisors and admins can manage SLA policies');
}

export async function saveSlaPolicy(ctx: Ctx, agent: Agent, id: string | null, body: SlaPolicyBody, who: AuditActor): Promise<SlaPolicyView> {
  assertMayEdit(agent);
  const db = ctx.storage.db;
  const tenantId = agent.tenant_id;
  const name = body.name.trim();
  if (!name) throw new AppError('validation_failed', 'name is empty');
  if (body.firstResponseMinutes === null && body.nextResponseMinutes === null && body.resolutionMinutes === null) {
    throw new AppError('validation_failed', 'set at least one target (firstResponseMinutes, nextResponseMinutes or resolutionMinutes)');
  }
  // The team must be this tenant's: another tenant's id reads as not found.
  assertSameTenant({ tenantId }, await db.selectFrom('teams').select(['id', 'tenant_id']).where('id', '=', body.teamId).executeTakeFirst(), 'team');
  if (id) assertSameTenant({ tenantId }, await db.selectFrom('sla_policies').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'SLA policy');
  const taken = await db.selectFrom('sla_policies').select('id').where('tenant_id', '=', tenantId).where('team_id', '=', body.teamId).executeTakeFirst();
  if (taken && taken.id !== id) throw new AppError('conflict', 'this team already has an SLA policy; edit that one');
  const now = Date.now();
  const cols = {
    name,
    team_id: body.teamId,
    first_response_minutes: body.firstResponseMinutes,
    next_response_minutes: body.nextResponseMinutes,
    resolution_minutes: body.resolutionMinutes,
    business_hours: body.businessHours ? 1 : 0,
    updated_at: now,
  };
  const policyId = id ?? newId('sla');
  try {
    if (id) await db.updateTable('sla_policies').set(cols).where('id', '=', id).where('tenant_id', '=', tenantId).execute();
    else await db.insertInto('sla_policies').values({ id: policyId, tenant_id: tenantId, created_at: now, ...cols }).execute();
  } catch (err) {
    if (ctx.storage.isUniqueViolation(err)) throw new AppError('conflict', 'this team already has an SLA policy; edit that one');
    throw err;
  }
  forgetSlaPolicies(tenantId);
  await appendAudit(db, who, [{ tenantId, action: id ? 'sla_policy.update' : 'sla_policy.create', resourceType: 'sla_policy', resourceId: policyId, details: { ...body, name } }]);
  return slaPolicyView(db, tenantId, policyId);
}

/** Deletes a policy and the SLA records measured by it (its report rows go with it). */
export async function deleteSlaPolicy(ctx: Ctx, agent: Agent, id: string, who: AuditActor): Promise<void> {
  assertMayEdit(agent);
  const db = ctx.storage.db;
  const tenantId = agent.tenant_id;
  assertSameTenant({ tenantId }, await db.selectFrom('sla_policies').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'SLA policy');
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('conversation_sla').where('tenant_id', '=', tenantId).where('policy_id', '=', id).execute();
    await trx.deleteFrom('sla_policies').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  });
  forgetSlaPolicies(tenantId);
  await appendAudit(db, who, [{ tenantId, action: 'sla_policy.delete', resourceType: 'sla_policy', resourceId: id }]);
}
