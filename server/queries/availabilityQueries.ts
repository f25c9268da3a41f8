/** Whether the widget offers live chat or "leave a message": the default team's hours and who is online. */
import type { WidgetAvailability } from '../../protocol/contactCentre.js';
import type { Db } from '../storage/db.js';
import { botActiveFor, defaultTeam } from './contactSettingsQueries.js';
import { onlineAgents } from './presenceQueries.js';
import { teamOpenAt } from './teamQueries.js';

export async function widgetAvailability(db: Db, tenantId: string, now = Date.now()): Promise<WidgetAvailability> {
  const [team, agents, bot] = await Promise.all([defaultTeam(db, tenantId), onlineAgents(db, tenantId, now), botActiveFor(db, tenantId)]);
  let online = agents;
  if (team) {
    const members = new Set((await db.selectFrom('team_members').select('agent_id').where('team_id', '=', team.id).where('tenant_id', '=', tenantId).execute()).map((m) => m.agent_id));
    online = agents.filter((a) => members.has(a.agentId));
  }
  const withinHours = team ? teamOpenAt(team, now) : true;
  return { live: withinHours && online.length > 0, withinHours, agentsOnline: online.length, bot };
}
