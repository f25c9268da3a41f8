/** Create, change and delete teams (queues) with their members, hours and routing strategy. Admins only. */
import type { TeamBody, TeamView } from '../../protocol/contactCentre.js';
import type { Ctx } from '../context.js';
import type { Agent } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { assertAdmin } from '../policies/contactCentrePolicy.js';
import { assertTimeZone } from '../policies/businessHours.js';
import { checkRoutingRules } from '../policies/routingRules.js';
import { assertSameTenant } from '../policies/tenantScope.js';
import { newId } from '../security/ids.js';
import { teamView } from '../queries/teamQueries.js';
import type { Db } from '../storage/db.js';

async function checkMembers(db: Db, tenantId: string, memberIds: string[]): Promise<string[]> {
  const unique = [...new Set(memberIds)];
  if (unique.length === 0) return [];
  const found = await db.selectFrom('agents').select('id').where('tenant_id', '=', tenantId).where('id', 'in', unique).execute();
  if (found.length !== unique.length) throw new AppError('validation_failed', 'memberIds names an agent that does not exist');
  return unique;
}

function columns(body: TeamBody) {
  assertTimeZone(body.timeZone);
  for (const [day, intervals] of Object.entries(body.weeklyHours ?? {})) {
    for (const [from, to] of intervals as Array<[string, string]>) {
      if (from >= to) throw new AppError('validation_failed', `weeklyHours.${day}: "${from}" must be before "${to}"`);
    }
  }
  return {
    name: body.name.trim(),
    strategy: body.strategy,
    time_zone: body.timeZone,
    weekly_hours: body.weeklyHours === null ? null : JSON.stringify(body.weeklyHours),
    holidays: JSON.stringify([...new Set(body.holidays)].sort()),
    notify_email: body.notifyEmail,
    // Absent: the stored rules stay as they are (older clients do not know about them).
    ...(body.routingRules ? { routing_rules: JSON.stringify(checkRoutingRules(body.routingRules)) } : {}),
  };
}

export async function saveTeam(ctx: Ctx, agent: Agent, teamId: string | null, body: TeamBody): Promise<TeamView> {
  assertAdmin(agent, 'manage teams');
  const db = ctx.storage.db;
  const tenantId = agent.tenant_id;
  if (!body.name.trim()) throw new AppError('validation_failed', 'name is empty');
  const cols = columns(body);
  const members = await checkMembers(db, tenantId, body.memberIds);
  const id = teamId ?? newId('team');
  if (teamId) assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('teams').select(['id', 'tenant_id']).where('id', '=', teamId).executeTakeFirst(), 'team');
  const anyTeam = await db.selectFrom('teams').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst();
  const makeDefault = body.isDefault === true || !anyTeam;
  await db.transaction().execute(async (trx) => {
    if (makeDefault) await trx.updateTable('teams').set({ is_default: 0 }).where('tenant_id', '=', tenantId).execute();
    if (teamId) {
      await trx.updateTable('teams').set({ ...cols, ...(makeDefault ? { is_default: 1 } : body.isDefault === false ? { is_default: 0 } : {}) }).where('id', '=', id).where('tenant_id', '=', tenantId).execute();
    } else {
      await trx.insertInto('teams').values({ id, tenant_id: tenantId, ...cols, is_default: makeDefault ? 1 : 0, created_at: Date.now() }).execute();
    }
    await trx.deleteFrom('team_members').where('team_id', '=', id).where('tenant_id', '=', tenantId).execute();
    if (members.length) await trx.insertInto('team_members').values(members.map((agentId) => ({ team_id: id, agent_id: agentId, tenant_id: tenantId }))).execute();
  });
  return teamView(db, tenantId, id);
}

export async function deleteTeam(ctx: Ctx, agent: Agent, teamId: string): Promise<void> {
  assertAdmin(agent, 'manage teams');
  const db = ctx.storage.db;
  assertSameTenant({ tenantId: agent.tenant_id }, await db.selectFrom('teams').select(['id', 'tenant_id']).where('id', '=', teamId).executeTakeFirst(), 'team');
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('conversations').set({ team_id: null }).where('tenant_id', '=', agent.tenant_id).where('team_id', '=', teamId).execute();
    await trx.deleteFrom('teams').where('id', '=', teamId).where('tenant_id', '=', agent.tenant_id).execute();
  });
}
