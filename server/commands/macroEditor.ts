/** The tenant's macros (issue 20): supervisors and admins save them; every agent applies them. */
import type { MacroAction, MacroBody, MacroView } from '../../protocol/productivity.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import type { Macro } from '../storage/productivitySchema.js';
import { AppError } from '../errors.js';
import { isSupervisor } from '../policies/contactCentrePolicy.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { newId } from '../security/ids.js';

export function presentMacro(m: Pick<Macro, 'id' | 'name' | 'actions'>): MacroView {
  return { id: m.id, name: m.name, actions: JSON.parse(m.actions) as MacroAction[] };
}

/** The labels and agents a macro names must be the tenant's; at most one action of each kind but labels. */
async function checkActions(ctx: Ctx, tenantId: string, actions: MacroAction[]): Promise<void> {
  const db = ctx.storage.db;
  for (const kind of ['reply', 'assign', 'status', 'priority'] as const) {
    if (actions.filter((a) => a.type === kind).length > 1) throw new AppError('validation_failed', `body/actions has more than one ${kind} action`);
  }
  for (const a of actions) {
    if (a.type === 'label') assertSameTenant({ tenantId }, await db.selectFrom('labels').select(['id', 'tenant_id']).where('id', '=', a.labelId).executeTakeFirst(), 'label');
    if (a.type === 'assign' && a.agentId !== null && a.agentId !== 'me') {
      assertSameTenant({ tenantId }, await db.selectFrom('agents').select(['id', 'tenant_id']).where('id', '=', a.agentId).where('disabled_at', 'is', null).executeTakeFirst(), 'agent');
    }
  }
}

export async function saveMacro(ctx: Ctx, agent: Agent, id: string | null, body: MacroBody): Promise<MacroView> {
  if (!isSupervisor(agent)) throw new AppError('forbidden', 'Only supervisors and admins can edit macros');
  const db = ctx.storage.db;
  await checkActions(ctx, agent.tenant_id, body.actions);
  const name = body.name.trim();
  const now = Date.now();
  try {
    if (id) {
      assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('macros').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'macro');
      await db.updateTable('macros').set({ name, actions: JSON.stringify(body.actions), updated_at: now }).where('id', '=', id).where('tenant_id', '=', agent.tenant_id).execute();
    } else {
      id = newId('mac');
      await db.insertInto('macros').values({ id, tenant_id: agent.tenant_id, name, actions: JSON.stringify(body.actions), created_by: agent.id, created_at: now, updated_at: now }).execute();
    }
  } catch (err) {
    if (ctx.storage.isUniqueViolation(err)) throw new AppError('conflict', `a macro named "${name}" already exists`);
    throw err;
  }
  const macro = presentMacro(await db.selectFrom('macros').selectAll().where('id', '=', id).where('tenant_id', '=', agent.tenant_id).executeTakeFirstOrThrow());
  // Every open console of the tenant (any node) updates its macro menu.
  await ctx.bus.publish({ type: 'macro.changed', tenantId: agent.tenant_id, macroId: id, macro });
  return macro;
}

export async function deleteMacro(ctx: Ctx, agent: Agent, id: string): Promise<void> {
  if (!isSupervisor(agent)) throw new AppError('forbidden', 'Only supervisors and admins can edit macros');
  const db = ctx.storage.db;
  assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('macros').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'macro');
  await db.deleteFrom('macros').where('id', '=', id).where('tenant_id', '=', agent.tenant_id).execute();
  await ctx.bus.publish({ type: 'macro.changed', tenantId: agent.tenant_id, macroId: id, macro: null });
}
