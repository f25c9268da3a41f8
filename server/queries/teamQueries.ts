/** Teams of one tenant, with members and whether each is open right now. */
import type { TeamView } from '../../protocol/contactCentre.js';
import { AppError } from '../errors.js';
import { isWithinHours } from '../policies/businessHours.js';
import { presentTeam } from '../presenters/presenters.js';
import type { Db } from '../storage/db.js';
import type { Team } from '../storage/schema.js';

export function teamOpenAt(team: Team, at = Date.now()): boolean {
  return isWithinHours({ timeZone: team.time_zone, weeklyHours: team.weekly_hours ? JSON.parse(team.weekly_hours) : null, holidays: JSON.parse(team.holidays) as string[] }, at);
}

export async function teamViews(db: Db, tenantId: string): Promise<TeamView[]> {
  const [teams, members] = await Promise.all([
    db.selectFrom('teams').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute(),
    db.selectFrom('team_members').select(['team_id', 'agent_id']).where('tenant_id', '=', tenantId).execute(),
  ]);
  return teams.map((t) => presentTeam(t, members.filter((m) => m.team_id === t.id).map((m) => m.agent_id), teamOpenAt(t)));
}

export async function teamView(db: Db, tenantId: string, id: string): Promise<TeamView> {
  const view = (await teamViews(db, tenantId)).find((t) => t.id === id);
  if (!view) throw new AppError('not_found', 'team not found');
  return view;
}
