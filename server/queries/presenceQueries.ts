/**
 * Agent presence, computed from the database so that every node agrees: an agent is online when
 * one of their console sockets (on any node) has sent a heartbeat within PRESENCE_TTL_MS and they
 * have not chosen "away". Always scoped to one tenant.
 */
import type { AgentPresenceView, PresenceStatus } from '../../protocol/contactCentre.js';
import type { Db } from '../storage/db.js';

/** A socket whose node has not refreshed it for this long counts as gone (its node probably died). */
export const PRESENCE_TTL_MS = 60_000;
/** How often each node refreshes the heartbeat of its agent sockets. */
export const PRESENCE_HEARTBEAT_MS = 20_000;
export const DEFAULT_MAX_CHATS = 5;

export interface AvailableAgent {
  agentId: string;
  maxChats: number;
  lastAssignedAt: number;
  activeChats: number;
}

/** Agents of the tenant with a live console socket, not away, not disabled, with their load. */
export async function onlineAgents(db: Db, tenantId: string, now = Date.now()): Promise<AvailableAgent[]> {
  const live = await db
    .selectFrom('agent_sockets as s')
    .innerJoin('agents as a', 'a.id', 's.agent_id')
    .leftJoin('agent_presence as p', 'p.agent_id', 's.agent_id')
    .select(['s.agent_id', 'p.status', 'p.max_chats', 'p.last_assigned_at'])
    .where('s.tenant_id', '=', tenantId)
    .where('a.tenant_id', '=', tenantId)
    .where('a.disabled_at', 'is', null)
    .where('s.heartbeat_at', '>', now - PRESENCE_TTL_MS)
    .execute();
  const byAgent = new Map<string, AvailableAgent>();
  for (const r of live) {
    if (r.status === 'away' || byAgent.has(r.agent_id)) continue;
    byAgent.set(r.agent_id, { agentId: r.agent_id, maxChats: r.max_chats ?? DEFAULT_MAX_CHATS, lastAssignedAt: r.last_assigned_at ?? 0, activeChats: 0 });
  }
  if (byAgent.size === 0) return [];
  const loads = await activeChats(db, tenantId, [...byAgent.keys()]);
  for (const a of byAgent.values()) a.activeChats = loads.get(a.agentId) ?? 0;
  return [...byAgent.values()];
}

/** Open conversations assigned to each agent. */
export async function activeChats(db: Db, tenantId: string, agentIds: string[]): Promise<Map<string, number>> {
  if (agentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('conversations')
    .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'open')
    .where('assignee_id', 'in', agentIds)
    .groupBy('assignee_id')
    .execute();
  return new Map(rows.map((r) => [r.assignee_id!, Number(r.n)]));
}

/** The presence an agent shows to colleagues. */
export async function presenceOf(db: Db, tenantId: string, agentId: string, now = Date.now()): Promise<PresenceStatus> {
  const [socket, chosen] = await Promise.all([
    db.selectFrom('agent_sockets').select('id').where('tenant_id', '=', tenantId).where('agent_id', '=', agentId).where('heartbeat_at', '>', now - PRESENCE_TTL_MS).limit(1).executeTakeFirst(),
    db.selectFrom('agent_presence').select('status').where('tenant_id', '=', tenantId).where('agent_id', '=', agentId).executeTakeFirst(),
  ]);
  if (!socket) return 'offline';
  return chosen?.status === 'away' ? 'away' : 'online';
}

/** Every agent of the tenant with presence, load and teams: the supervisor's view and the transfer picker. */
export async function presenceList(db: Db, tenantId: string, now = Date.now()): Promise<AgentPresenceView[]> {
  const [agents, presence, sockets, members] = await Promise.all([
    db.selectFrom('agents').select(['id', 'name', 'email', 'role']).where('tenant_id', '=', tenantId).where('disabled_at', 'is', null).orderBy('name').execute(),
    db.selectFrom('agent_presence').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('agent_sockets').select('agent_id').where('tenant_id', '=', tenantId).where('heartbeat_at', '>', now - PRESENCE_TTL_MS).execute(),
    db.selectFrom('team_members').select(['agent_id', 'team_id']).where('tenant_id', '=', tenantId).execute(),
  ]);
  const pById = new Map(presence.map((p) => [p.agent_id, p]));
  const connected = new Set(sockets.map((s) => s.agent_id));
  const loads = await activeChats(db, tenantId, agents.map((a) => a.id));
  return agents.map((a) => {
    const p = pById.get(a.id);
    const chosen = p?.status ?? 'online';
    return {
      id: a.id,
      name: a.name,
      email: a.email,
      role: a.role,
      status: !connected.has(a.id) ? 'offline' : chosen,
      chosen,
      activeChats: loads.get(a.id) ?? 0,
      maxChats: p?.max_chats ?? DEFAULT_MAX_CHATS,
      teamIds: members.filter((m) => m.agent_id === a.id).map((m) => m.team_id),
    };
  });
}
