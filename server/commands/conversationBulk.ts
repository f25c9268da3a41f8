/**
 * Bulk actions on the inbox (issue 20): one action on up to 100 conversations, all or nothing.
 * Every id must be a conversation of the agent's tenant and the change allowed for each, or the
 * request is refused before anything is written; the writes are then one transaction, and each
 * changed conversation is published after the commit.
 */
import { priorityRank, type BulkAction } from '../../protocol/productivity.js';
import type { ConversationView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { assertMayAssign } from '../policies/conversationPolicy.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { conversationViews } from '../queries/conversationQueries.js';
import { labelOf } from './conversationTagger.js';
import '../storage/productivitySchema.js';

export async function bulkApply(ctx: Ctx, agent: Agent, ids: string[], action: BulkAction): Promise<ConversationView[]> {
  const tenantId = agent.tenant_id;
  const db = ctx.storage.db;
  const rows = await db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  // Another tenant's id is reported like a missing one, and nothing is changed.
  if (rows.length !== ids.length) throw new AppError('not_found', 'conversation not found');
  if (action.type === 'assign') {
    for (const r of rows) assertMayAssign(agent, action.agentId, r.assignee_id);
    if (action.agentId) assertSameTenant({ tenantId }, await db.selectFrom('agents').select(['id', 'tenant_id']).where('id', '=', action.agentId).where('disabled_at', 'is', null).executeTakeFirst(), 'agent');
  }
  if (action.type === 'label' || action.type === 'unlabel') await labelOf(db, tenantId, action.labelId);
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    const update = () => trx.updateTable('conversations').where('tenant_id', '=', tenantId).where('id', 'in', ids);
    if (action.type === 'assign') await update().set({ assignee_id: action.agentId, updated_at: now }).execute();
    else if (action.type === 'priority') await update().set({ priority: priorityRank(action.priority), updated_at: now }).execute();
    else if (action.type === 'resolve') await update().set({ status: 'resolved', resolved_at: now, snoozed: 0, snoozed_until: null, updated_at: now }).where('status', '=', 'open').execute();
    else if (action.type === 'label') {
      await trx
        .insertInto('conversation_labels')
        .values(ids.map((id) => ({ conversation_id: id, label_id: action.labelId, tenant_id: tenantId, created_at: now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    } else {
      await trx.deleteFrom('conversation_labels').where('tenant_id', '=', tenantId).where('label_id', '=', action.labelId).where('conversation_id', 'in', ids).execute();
    }
  });
  const fresh = await db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  const order = new Map(ids.map((id, i) => [id, i]));
  const views = (await conversationViews(ctx, tenantId, fresh)).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  for (const conversation of views) await ctx.bus.publish({ type: 'conversation.updated', tenantId, conversation });
  return views;
}
