/**
 * Automatic assignment. A routing pass takes the tenant's waiting conversations oldest first and
 * gives each to an online agent with spare capacity, from the conversation's team when it has one:
 * round robin (the member assigned longest ago) or least busy (fewest open chats, then longest ago).
 * Passes of one tenant are serialised across nodes by updating its routing_locks row first, and each
 * assignment is conditional on the conversation still being unassigned, so nothing is given twice.
 * Routing is on for tenants with at least one team; others keep a manual inbox.
 */
import type { Ctx } from '../context.js';
import { conversationView } from '../queries/conversationQueries.js';
import { onlineAgents } from '../queries/presenceQueries.js';
import { queueEntries, waitingConversations } from '../queries/queueQueries.js';
import type { Db } from '../storage/db.js';

async function lockTenant(trx: Db, tenantId: string, now: number): Promise<void> {
  await trx
    .insertInto('routing_locks')
    .values({ tenant_id: tenantId, at: now })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ at: now }))
    .execute();
}

export async function routingEnabled(db: Db, tenantId: string): Promise<boolean> {
  return !!(await db.selectFrom('teams').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst());
}

/** One routing pass; returns the ids of the conversations it assigned. */
export async function routeTenant(ctx: Ctx, tenantId: string): Promise<string[]> {
  const db = ctx.storage.db;
  let assigned: string[] = [];
  if (await routingEnabled(db, tenantId)) {
    assigned = await db.transaction().execute(async (trx) => {
      const now = Date.now();
      await lockTenant(trx, tenantId, now);
      const queued = await waitingConversations(trx, tenantId, 100);
      if (queued.length === 0) return [];
      const agents = (await onlineAgents(trx, tenantId, now)).filter((a) => a.activeChats < a.maxChats);
      if (agents.length === 0) return [];
      const [teams, members] = await Promise.all([
        trx.selectFrom('teams').select(['id', 'strategy']).where('tenant_id', '=', tenantId).execute(),
        trx.selectFrom('team_members').select(['team_id', 'agent_id']).where('tenant_id', '=', tenantId).execute(),
      ]);
      const strategyOf = new Map(teams.map((t) => [t.id, t.strategy]));
      const done: string[] = [];
      let tick = 0;
      for (const conv of queued) {
        const team = conv.team_id ?? null;
        const inTeam = team ? new Set(members.filter((m) => m.team_id === team).map((m) => m.agent_id)) : null;
        const candidates = agents.filter((a) => a.activeChats < a.maxChats && (!inTeam || inTeam.has(a.agentId)));
        if (candidates.length === 0) continue;
        const strategy = team ? (strategyOf.get(team) ?? 'least_busy') : 'least_busy';
        candidates.sort((a, b) =>
          strategy === 'least_busy'
            ? a.activeChats - b.activeChats || a.lastAssignedAt - b.lastAssignedAt || (a.agentId < b.agentId ? -1 : 1)
            : a.lastAssignedAt - b.lastAssignedAt || (a.agentId < b.agentId ? -1 : 1),
        );
        const pick = candidates[0]!;
        const result = await trx
          .updateTable('conversations')
          .set({ assignee_id: pick.agentId, assigned_at: now, updated_at: now })
          .where('id', '=', conv.id)
          .where('tenant_id', '=', tenantId)
          .where('assignee_id', 'is', null)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) continue;
        pick.activeChats++;
        pick.lastAssignedAt = now + ++tick; // distinct, increasing: the next round-robin pick moves on
        await trx.updateTable('agent_presence').set({ last_assigned_at: pick.lastAssignedAt }).where('agent_id', '=', pick.agentId).where('tenant_id', '=', tenantId).execute();
        done.push(conv.id);
      }
      return done;
    });
  }
  for (const id of assigned) {
    const conversation = await conversationView(ctx, tenantId, id);
    await ctx.bus.publish({ type: 'conversation.updated', tenantId, conversation });
    await ctx.bus.publish({ type: 'queue.updated', tenantId, visitorId: conversation.visitor.id, conversationId: id, position: null, estimatedWaitSeconds: null });
  }
  await publishQueue(ctx, tenantId);
  return assigned;
}

/** Tells every waiting visitor of the tenant their place in the queue. */
export async function publishQueue(ctx: Ctx, tenantId: string): Promise<void> {
  for (const e of await queueEntries(ctx.storage.db, tenantId)) {
    await ctx.bus.publish({ type: 'queue.updated', tenantId, visitorId: e.visitorId, conversationId: e.conversationId, position: e.position, estimatedWaitSeconds: e.estimatedWaitSeconds });
  }
}
