/**
 * Teams (queues) with members, routing strategy, business hours (IANA time zone, weekly hours,
 * holidays); agent capacity; and the contact settings (identity-verification secret, bot).
 * The team editor is teamEditor.tsx, its draft rules teamDraft.ts, capacity agentCapacity.tsx and the
 * contact settings contactSettings.tsx.
 */
import type { RoutingStrategy } from '../../../protocol/contactCentre.js';
import { t } from '../i18n.js';
import type { AdminApi } from './adminApi.js';
import { AdminTable, ErrorLine, Section, useAction, useLoad } from './common.js';
import { NewButton, RowActions, useEditing } from './collection.js';
import { draftFromTeam, emptyDraft, hoursSummary, type TeamDraft } from './teamDraft.js';
import { TeamEditor } from './teamEditor.js';
import { Capacity } from './agentCapacity.js';

// AdminArea.tsx shows the contact settings from here.
export { ContactSettings } from './contactSettings.js';

const strategyLabel = (s: RoutingStrategy) => (s === 'least_busy' ? t.admLeastBusy : t.admRoundRobin);

export function Teams(props: { admin: AdminApi }) {
  const { admin } = props;
  const teams = useLoad(() => admin.teams());
  const presence = useLoad(() => admin.presence());
  const act = useAction();
  const { editing, edit, close } = useEditing<TeamDraft>('team-new');
  const agents = presence.data?.items ?? [];
  const nameOf = (id: string) => agents.find((a) => a.id === id)?.name ?? id;
  return (
    <>
      <Section title={t.admTeams} intro={t.admTeamsIntro}>
        <ErrorLine error={teams.error ?? act.error} />
        {teams.data && teams.data.items.length === 0 && <p class="muted">{t.admNoTeams}</p>}
        {teams.data && teams.data.items.length > 0 && (
          <AdminTable id="teams-table" columns={[t.admTeamName, t.admTeamStrategy, t.admTeamHours, t.admTeamMembers]} actions>
            {teams.data.items.map((tm) => (
              <tr key={tm.id}>
                <td>
                  <strong>{tm.name}</strong> {tm.isDefault && <span class="adm-pill">{t.admTeamDefault}</span>}
                  <div class="muted adm-small">
                    <span class={`adm-pill ${tm.openNow ? 'adm-ok' : ''}`}>{tm.openNow ? t.admTeamOpenNow : t.admTeamClosedNow}</span> {tm.timeZone}
                  </div>
                </td>
                <td class="adm-nowrap">{strategyLabel(tm.strategy)}</td>
                <td class="adm-wrap adm-small">
                  {hoursSummary(tm)}
                  {tm.holidays.length > 0 && <div class="muted">{t.admHolidaysList(tm.holidays.join(', '))}</div>}
                </td>
                <td class="adm-wrap">
                  {tm.memberIds.map(nameOf).join(', ') || '—'}
                  {tm.routingRules.length > 0 && <div class="muted adm-small">{t.admRulesSummary(tm.routingRules.length)}</div>}
                </td>
                <RowActions
                  name={tm.name}
                  editLabel={t.admTeamEditTitle(tm.name)}
                  confirmText={t.admTeamDeleteConfirm(tm.name)}
                  onEdit={() => edit(tm.id, draftFromTeam(tm))}
                  onDelete={() => void act.run(async () => (await admin.deleteTeam(tm.id), teams.reload()))}
                />
              </tr>
            ))}
          </AdminTable>
        )}
        <NewButton id="team-new" label={t.admTeamNew} shown={!editing} onClick={() => edit(null, emptyDraft())} />
      </Section>
      {editing && (
        <TeamEditor
          admin={admin}
          id={editing.id}
          initial={editing.draft}
          agents={agents}
          onDone={(changed) => {
            close();
            if (changed) {
              teams.reload();
              presence.reload();
            }
          }}
        />
      )}
      <Capacity admin={admin} agents={agents} error={presence.error} teams={teams.data?.items ?? []} onChanged={presence.reload} />
    </>
  );
}
