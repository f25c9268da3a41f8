/**
 * What happens to a conversation that has just become open and unassigned: a brand-new one goes to
 * the knowledge-base bot when the tenant has one, otherwise (and after a handoff, an unassign or a
 * transfer) it joins its team's queue. Idempotent: every node may run it for the same event.
 */
import type { Ctx } from '../context.js';
import { botActiveFor, defaultTeam } from '../queries/contactSettingsQueries.js';
import { conversationView } from '../queries/conversationQueries.js';
import { openPageContext } from '../queries/visitorContextQueries.js';
import { storedRules, teamForContext } from '../policies/routingRules.js';

/** The first team (by name) with a routing rule the visitor's page context matches, or null. */
async function teamByPageContext(ctx: Ctx, tenantId: string, visitorId: string): Promise<{ id: string } | null> {
  const db = ctx.storage.db;
  const teams = await db.selectFrom('teams').select(['id', 'name', 'routing_rules']).where('tenant_id', '=', tenantId).where('routing_rules', 'is not', null).execute();
  const ruled = teams.map((t) => ({ id: t.id, name: t.name, rules: storedRules(t.routing_rules) })).filter((t) => t.rules.length > 0);
  if (ruled.length === 0) return null;
  const row = await db.selectFrom('visitor_context').select('page_context').where('tenant_id', '=', tenantId).where('visitor_id', '=', visitorId).executeTakeFirst();
  const id = teamForContext(ruled, row ? await openPageContext(ctx, tenantId, visitorId, row.page_context) : null);
  return id ? { id } : null;
}

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
  // The team whose routing rules the visitor's page context matches (issue 19), else the default team.
  const team = row.team_id ? null : ((await teamByPageContext(ctx, tenantId, row.visitor_id)) ?? (await defaultTeam(db, tenantId)));
  await db
    .updateTable('conversations')
    .set({ queued_at: now, ...(team ? { team_id: team.id } : {}) })
    .where('id', '=', row.id)
    .where('tenant_id', '=', tenantId)
    .where('queued_at', 'is', null)
    .execute();
  return 'queued';
}
