/** The tenant's labels (issue 20): supervisors and admins define them; every agent applies them. */
import type { LabelBody, LabelView } from '../../protocol/productivity.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { isSupervisor } from '../policies/contactCentrePolicy.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { newId } from '../security/ids.js';
import { conversationView } from '../queries/conversationQueries.js';
import '../storage/productivitySchema.js';

const PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

export function assertMayEditLabels(agent: Agent): void {
  if (!isSupervisor(agent)) throw new AppError('forbidden', 'Only supervisors and admins can edit labels');
}

export async function saveLabel(ctx: Ctx, agent: Agent, id: string | null, body: LabelBody): Promise<LabelView> {
  assertMayEditLabels(agent);
  const db = ctx.storage.db;
  const name = body.name.trim().replace(/\s+/g, ' ');
  const nameKey = name.toLowerCase();
  try {
    if (id) {
      assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('labels').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'label');
      await db.updateTable('labels').set({ name, name_key: nameKey, ...(body.color ? { color: body.color.toLowerCase() } : {}) }).where('id', '=', id).where('tenant_id', '=', agent.tenant_id).execute();
    } else {
      id = newId('lbl');
      const count = Number((await db.selectFrom('labels').select((e) => e.fn.countAll().as('n')).where('tenant_id', '=', agent.tenant_id).executeTakeFirstOrThrow()).n);
      if (count >= 200) throw new AppError('conflict', 'a tenant has at most 200 labels');
      await db.insertInto('labels').values({ id, tenant_id: agent.tenant_id, name, name_key: nameKey, color: (body.color ?? PALETTE[count % PALETTE.length]!).toLowerCase(), created_at: Date.now() }).execute();
    }
  } catch (err) {
    if (ctx.storage.isUniqueViolation(err)) throw new AppError('conflict', `a label named "${name}" already exists`);
    throw err;
  }
  const label: LabelView = { ...(await db.selectFrom('labels').select(['id', 'name', 'color']).where('id', '=', id).where('tenant_id', '=', agent.tenant_id).executeTakeFirstOrThrow()) };
  // Every open console of the tenant (any node) updates its label picker and filters.
  await ctx.bus.publish({ type: 'label.changed', tenantId: agent.tenant_id, labelId: id, label });
  return label;
}

/** Deleting a label takes it off every conversation (cascade); open consoles are told (the label, and each conversation that carried it). */
export async function deleteLabel(ctx: Ctx, agent: Agent, id: string): Promise<void> {
  assertMayEditLabels(agent);
  const db = ctx.storage.db;
  assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('labels').select(['id', 'tenant_id']).where('id', '=', id).executeTakeFirst(), 'label');
  const carriers = await db.selectFrom('conversation_labels').select('conversation_id').where('tenant_id', '=', agent.tenant_id).where('label_id', '=', id).limit(500).execute();
  await db.deleteFrom('conversation_labels').where('tenant_id', '=', agent.tenant_id).where('label_id', '=', id).execute();
  await db.deleteFrom('labels').where('id', '=', id).where('tenant_id', '=', agent.tenant_id).execute();
  await ctx.bus.publish({ type: 'label.changed', tenantId: agent.tenant_id, labelId: id, label: null });
  for (const c of carriers) {
    const conversation = await conversationView(ctx, agent.tenant_id, c.conversation_id).catch(() => null);
    if (conversation) await ctx.bus.publish({ type: 'conversation.updated', tenantId: agent.tenant_id, conversation });
  }
}
