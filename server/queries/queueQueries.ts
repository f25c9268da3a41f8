/**
 * The waiting queue: open conversations without an agent (and not with the bot), per team, oldest
 * first, with an estimated wait from recent handling times and the capacity online now.
 */
import type { Db } from '../storage/db.js';
import { onlineAgents } from './presenceQueries.js';

export interface QueueEntry {
  conversationId: string;
  visitorId: string;
  teamId: string | null;
  position: number;
  /** null while nobody who could take it is online. */
  estimatedWaitSeconds: number | null;
}

const DEFAULT_HANDLE_SECONDS = 180;

/** Average time from assignment to resolution over the tenant's last 20 resolved conversations. */
export async function averageHandleSeconds(db: Db, tenantId: string): Promise<number> {
  const rows = await db
    .selectFrom('conversations')
    .select(['assigned_at', 'resolved_at'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'resolved')
    .where('assigned_at', 'is not', null)
    .where('resolved_at', 'is not', null)
    .orderBy('resolved_at', 'desc')
    .limit(20)
    .execute();
  const spans = rows.map((r) => (r.resolved_at! - r.assigned_at!) / 1000).filter((s) => s > 0);
  if (spans.length === 0) return DEFAULT_HANDLE_SECONDS;
  const avg = spans.reduce((a, b) => a + b, 0) / spans.length;
  return Math.min(1800, Math.max(30, Math.round(avg)));
}

/** The tenant's waiting conversations (open, no agent, not with the bot, queued), oldest first. */
export async function waitingConversations(db: Db, tenantId: string, limit: number): Promise<Array<{ id: string; visitor_id: string; team_id?: string | null }>> {
  return db
    .selectFrom('conversations')
    .select(['id', 'visitor_id', 'team_id'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'open')
    .where('assignee_id', 'is', null)
    .where('bot_active', '=', 0)
    .where('queued_at', 'is not', null)
    .orderBy('queued_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
}

export async function queueEntries(db: Db, tenantId: string, now = Date.now()): Promise<QueueEntry[]> {
  const waiting = await waitingConversations(db, tenantId, 1000);
  if (waiting.length === 0) return [];
  const [agents, members, handle] = await Promise.all([
    onlineAgents(db, tenantId, now),
    db.selectFrom('team_members').select(['team_id', 'agent_id']).where('tenant_id', '=', tenantId).execute(),
    averageHandleSeconds(db, tenantId),
  ]);
  const capacityOf = (teamId: string | null) => {
    const inTeam = teamId === null ? null : new Set(members.filter((m) => m.team_id === teamId).map((m) => m.agent_id));
    return agents.filter((a) => !inTeam || inTeam.has(a.agentId)).reduce((sum, a) => sum + Math.max(1, a.maxChats), 0);
  };
  const positions = new Map<string, number>();
  return waiting.map((w) => {
    const key = w.team_id ?? '';
    const position = (positions.get(key) ?? 0) + 1;
    positions.set(key, position);
    const capacity = capacityOf(w.team_id ?? null);
    return {
      conversationId: w.id,
      visitorId: w.visitor_id,
      teamId: w.team_id ?? null,
      position,
      estimatedWaitSeconds: capacity === 0 ? null : Math.ceil(position / capacity) * handle,
    };
  });
}

export async function queueEntryOf(db: Db, tenantId: string, conversationId: string): Promise<QueueEntry | null> {
  return (await queueEntries(db, tenantId)).find((e) => e.conversationId === conversationId) ?? null;
}
