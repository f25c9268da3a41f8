/**
 * Agent presence: console sockets register here (one row per socket, refreshed by each node's
 * heartbeat), and agents choose online/away and their capacity. Every change that can make an
 * agent available or unavailable publishes `agent.presence`; routing subscribes to it.
 */
import type { PresenceBody } from '../../protocol/contactCentre.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { DEFAULT_MAX_CHATS, PRESENCE_TTL_MS, presenceOf } from '../queries/presenceQueries.js';

async function ensurePresenceRow(ctx: Ctx, agent: Agent): Promise<void> {
  const db = ctx.storage.db;
  const row = await db.selectFrom('agent_presence').select('agent_id').where('agent_id', '=', agent.id).executeTakeFirst();
  if (row) return;
  try {
    await db.insertInto('agent_presence').values({ agent_id: agent.id, tenant_id: agent.tenant_id, status: 'online', max_chats: DEFAULT_MAX_CHATS }).execute();
  } catch (err) {
    if (!ctx.storage.isUniqueViolation(err)) throw err; // another node created it first
  }
}

async function publishPresence(ctx: Ctx, agent: Agent): Promise<void> {
  const status = await presenceOf(ctx.storage.db, agent.tenant_id, agent.id);
  await ctx.bus.publish({ type: 'agent.presence', tenantId: agent.tenant_id, agentId: agent.id, status });
}

export async function agentSocketOpened(ctx: Ctx, agent: Agent, socketId: string): Promise<void> {
  await ensurePresenceRow(ctx, agent);
  await ctx.storage.db
    .insertInto('agent_sockets')
    .values({ id: socketId, agent_id: agent.id, tenant_id: agent.tenant_id, node_id: ctx.env.nodeId, heartbeat_at: Date.now() })
    .execute();
  await publishPresence(ctx, agent);
}

export async function agentSocketClosed(ctx: Ctx, agent: Agent, socketId: string): Promise<void> {
  await ctx.storage.db.deleteFrom('agent_sockets').where('id', '=', socketId).where('tenant_id', '=', agent.tenant_id).execute();
  await publishPresence(ctx, agent);
}

/** Each node refreshes its own sockets; rows of a node that died expire after PRESENCE_TTL_MS. */
export async function refreshAgentSockets(ctx: Ctx, socketIds: string[]): Promise<void> {
  for (let i = 0; i < socketIds.length; i += 500) {
    await ctx.storage.db.updateTable('agent_sockets').set({ heartbeat_at: Date.now() }).where('id', 'in', socketIds.slice(i, i + 500)).execute();
  }
}

/** Removes sockets whose node stopped refreshing them and announces the agents that went offline. */
export async function expireAgentSockets(ctx: Ctx, now = Date.now()): Promise<number> {
  const db = ctx.storage.db;
  const stale = await db.selectFrom('agent_sockets').select(['id', 'agent_id', 'tenant_id']).where('heartbeat_at', '<=', now - PRESENCE_TTL_MS).limit(1000).execute();
  if (stale.length === 0) return 0;
  await db.deleteFrom('agent_sockets').where('id', 'in', stale.map((s) => s.id)).execute();
  const seen = new Set<string>();
  for (const s of stale) {
    if (seen.has(s.agent_id)) continue;
    seen.add(s.agent_id);
    const status = await presenceOf(db, s.tenant_id, s.agent_id, now);
    await ctx.bus.publish({ type: 'agent.presence', tenantId: s.tenant_id, agentId: s.agent_id, status });
  }
  return stale.length;
}

/** The agent chooses online/away and their capacity. */
export async function setPresence(ctx: Ctx, agent: Agent, body: PresenceBody): Promise<void> {
  await ensurePresenceRow(ctx, agent);
  const patch: { status?: 'online' | 'away'; max_chats?: number } = {};
  if (body.status) patch.status = body.status;
  if (body.maxChats !== undefined) patch.max_chats = body.maxChats;
  if (Object.keys(patch).length) {
    await ctx.storage.db.updateTable('agent_presence').set(patch).where('agent_id', '=', agent.id).where('tenant_id', '=', agent.tenant_id).execute();
  }
  await publishPresence(ctx, agent);
}
