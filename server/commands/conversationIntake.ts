/**
 * What happens to a conversation that has just become open and unassigned: a brand-new one goes to
 * the knowledge-base bot when the tenant has one, otherwise (and after a handoff, an unassign or a
 * transfer) it joins its team's queue. Idempotent: every node may run it for the same event.
 */
import type { Ctx } from '../context.js';
import { botActiveFor, defaultTeam } from '../queries/contactSettingsQueries.js';
import { conversationView } from '../queries/conversationQueries.js';

export async function takeIn(ctx: Ctx, tenantId: string, conversationId: string): Promise<'bot' | 'queued' | 'unchanged'> {
  const db = ctx.storage.db;
  const row = await db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', conversationId).executeTakeFirst();
  if (!row || row.status !== 'open' || row.assignee_id || row.bot_active === 1) return 'unchanged';
  if (row.queued_at !== null && row.queued_at !== undefined) return 'unchanged';
  const now = Date.now();
  // Only a conversation's very first visitor message goes to the bot; anything later means a person was already involved.
  if (row.last_seq <= 1 && row.channel !== 'offline' && (await botActiveFor(db, tenantId))) {
    const r = await db.updateTable('conversations').set({ bot_active: 1 }).where('id', '=', row.id).where('tenant_id', '=', tenantId).where('queued_at', 'is', null).executeTakeFirst();
    if (r.numUpdatedRows === 0n) return 'unchanged';
    // Both sides learn that the bot has it (the widget then offers "talk to a person").
    await ctx.bus.publish({ type: 'conversation.updated', tenantId, conversation: await conversationView(ctx, tenantId, row.id) });
    return 'bot';
  }
  const team = row.team_id ? null : await defaultTeam(db, tenantId);
  await db
    .updateTable('conversations')
    .set({ queued_at: now, ...(team ? { team_id: team.id } : {}) })
    .where('id', '=', row.id)
    .where('tenant_id', '=', tenantId)
    .where('queued_at', 'is', null)
    .execute();
  return 'queued';
}
