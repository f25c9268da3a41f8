/** Agent capacity: each agent's presence, teams, active chats and the most chats they may hold at once. */
import { useState } from 'preact/hooks';
import type { AgentPresenceView, TeamView } from '../../../protocol/contactCentre.js';
import { t } from '../i18n.js';
import type { AdminApi } from './adminApi.js';
import { AdminTable, ErrorLine, Section, useAction } from './common.js';

export function Capacity(props: { admin: AdminApi; agents: AgentPresenceView[]; teams: TeamView[]; error: string | null; onChanged: () => void }) {
  const act = useAction();
  const [values, setValues] = useState<Record<string, string>>({});
  const presenceLabel = (s: AgentPresenceView['status']) => (s === 'online' ? t.admPresenceOnline : s === 'away' ? t.admPresenceAway : t.admPresenceOffline);
  return (
    <Section title={t.admCapacity} intro={t.admCapacityIntro}>
      <ErrorLine error={props.error ?? act.error} />
      <AdminTable id="capacity-table" columns={[t.admAgent, t.admPresence, t.admTeams, t.admActiveChats, t.admMaxChats]}>
        {props.agents.map((a) => {
          const v = values[a.id] ?? String(a.maxChats);
          const n = Number(v);
          const ok = /^\d+$/.test(v) && n >= 0 && n <= 50;
          return (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>
                <span class={`adm-pill ${a.status === 'online' ? 'adm-ok' : ''}`}>{presenceLabel(a.status)}</span>
              </td>
              <td class="adm-wrap">{props.teams.filter((tm) => a.teamIds.includes(tm.id)).map((tm) => tm.name).join(', ') || '—'}</td>
              <td>{a.activeChats}</td>
              <td>
                <form
                  class="adm-row"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (ok) void act.run(async () => (await props.admin.setCapacity(a.id, n), props.onChanged()));
                  }}
                >
                  <input
                    class="adm-num-input"
                    type="number"
                    min={0}
                    max={50}
                    aria-label={t.admCapacityOf(a.name)}
                    aria-invalid={ok ? undefined : 'true'}
                    value={v}
                    onInput={(e) => setValues({ ...values, [a.id]: e.currentTarget.value })}
                  />
                  {v !== String(a.maxChats) && (
                    <button type="submit" class="btn btn-secondary btn-sm" disabled={!ok || act.busy}>
                      {t.admSave}
                    </button>
                  )}
                </form>
              </td>
            </tr>
          );
        })}
      </AdminTable>
    </Section>
  );
}
