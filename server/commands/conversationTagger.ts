/**
 * Labels on a conversation, its priority, and snooze (issue 20). Every change is scoped to the
 * agent's tenant (another tenant's conversation or label is "not found") and published as
 * conversation.updated after it is written.
 */
import type { ConversationView } from '../../protocol/records.js';
import { priorityRank, type Priority } from '../../protocol/productivity.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import type { Db } from '../storage/db.js';
import { AppError } from '../errors.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { conversationView } from '../queries/conversationQueries.js';
import '../storage/productivitySchema.js';

export async function conversationOf(db: Db, tenantId: string, id: string) {
  return assertSameTenant({ tenantId }, await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst(), 'conversation');
}

export async function labelOf(db: Db, tenantId: string, id: string) {
  return assertSameTenant({ tenantId }, await db.selectFrom('labels').selectAll().where('id', '=', id).executeTakeFirst(), 'label');
}

export async function publishConversation(ctx: Ctx, tenantId: string, id: string): Promise<ConversationView> {
  const conversation = await conversationView(ctx, tenantId, id);
  await ctx.bus.publish({ type: 'conversation.updated', tenantId, conversation });
  return conversation;
}

/** Adds a label (already there: no change, same answer). */
export async function addLabel(ctx: Ctx, agent: Agent, conversationId: string, labelId: string): Promise<ConversationView> {
  const db = ctx.storage.db;
  const conv = await conversationOf(db, agent.tenant_id, conversationId);
  const label = await labelOf(db, agent.tenant_id, labelId);
  const res = await db
    .insertInto('conversation_labels')
    .values({ conversation_id: conv.id, label_id: label.id, tenant_id: agent.tenant_id, created_at: Date.now() })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (Number(res.numInsertedOrUpdatedRows ?? 0n) === 0) return conversationView(ctx, agent.tenant_id, conv.id);
  return publishConversation(ctx, agent.tenant_id, conv.id);
}

export async function removeLabel(ctx: Ctx, agent: Agent, conversationId: string, labelId: string): Promise<ConversationView> {
  const db = ctx.storage.db;
  const conv = await conversationOf(db, agent.tenant_id, conversationId);
  const label = await labelOf(db, agent.tenant_id, labelId);
  const res = await db.deleteFrom('conversation_labels').where('tenant_id', '=', agent.tenant_id).where('conversation_id', '=', conv.id).where('label_id', '=', label.id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) return conversationView(ctx, agent.tenant_id, conv.id);
  return publishConversation(ctx, agent.tenant_id, conv.id);
}

export async function setPriority(ctx: Ctx, agent: Agent, conversationId: string, priority: Priority): Promise<ConversationView> {
  const db = ctx.storage.db;
  const conv = await conversationOf(db, agent.tenant_id, conversationId);
  const rank = priorityRank(priority);
  if (conv.priority === rank) return conversationView(ctx, agent.tenant_id, conv.id);
  await db.updateTable('conversations').set({ priority: rank, updated_at: Date.now() }).where('id', '=', conv.id).where('tenant_id', '=', agent.tenant_id).execute();
  return publishConversation(ctx, agent.tenant_id, conv.id);
}

/** Snoozes an open conversation until `until` (ms), or until the visitor writes again (null). */
export async function snoozeConversation(ctx: Ctx, agent: Agent, conversationId: string, until: number | null, now = Date.now()): Promise<ConversationView> {
  const db = ctx.storage.db;
  const conv = await conversationOf(db, agent.tenant_id, conversationId);
  if (conv.status !== 'open') throw new AppError('conversation_closed', 'only an open conversation can be snoozed');
  if (until !== null && until <= now) throw new AppError('validation_failed', 'body/until must be in the future');
  if (until !== null && until > now + 366 * 86_400_000) throw new AppError('validation_failed', 'body/until must be within a year');
  await db.updateTable('conversations').set({ snoozed: 1, snoozed_until: until, updated_at: now }).where('id', '=', conv.id).where('tenant_id', '=', agent.tenant_id).execute();
  return publishConversation(ctx, agent.tenant_id, conv.id);
}

export async function unsnoozeConversation(ctx: Ctx, agent: Agent, conversationId: string): Promise<ConversationView> {
  const conv = await conversationOf(ctx.storage.db, agent.tenant_id, conversationId);
  if (conv.snoozed !== 1) return conversationView(ctx, agent.tenant_id, conv.id);
  await wake(ctx, agent.tenant_id, conv.id);
  return conversationView(ctx, agent.tenant_id, conv.id);
}

/** Ends a snooze (conditional: only a snoozed row changes) and tells the consoles. True if it was snoozed. */
async function wake(ctx: Ctx, tenantId: string, id: string): Promise<boolean> {
  const res = await ctx.storage.db
    .updateTable('conversations')
    .set({ snoozed: 0, snoozed_until: null, updated_at: Date.now() })
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .where('snoozed', '=', 1)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return false;
  await publishConversation(ctx, tenantId, id);
  return true;
}

/** The visitor wrote to a conversation the message path found snoozed (StoreMessageOutput's `snoozed`): it comes back. Re-read here, since an agent may have ended the snooze meanwhile. */
export async function wakeOnReply(ctx: Ctx, tenantId: string, conversationId: string): Promise<boolean> {
  const row = await ctx.storage.db.selectFrom('conversations').select(['snoozed']).where('id', '=', conversationId).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row || row.snoozed !== 1) return false;
  return wake(ctx, tenantId, conversationId);
}

/** The periodic pass: every snooze whose time has come ends (all tenants; each conversation published to its own). */
export async function wakeDueSnoozes(ctx: Ctx, now = Date.now()): Promise<number> {
  const due = await ctx.storage.db
    .selectFrom('conversations')
    .select(['id', 'tenant_id'])
    .where('snoozed', '=', 1)
    .where('snoozed_until', 'is not', null)
    .where('snoozed_until', '<=', now)
    .limit(500)
    .execute();
  let n = 0;
  for (const c of due) if (await wake(ctx, c.tenant_id, c.id)) n++;
  return n;
}
