/** The form that creates or edits a team: members, routing strategy and rules, business hours, holidays. */
import { useState } from 'preact/hooks';
import { WEEKDAYS, type AgentPresenceView, type RoutingStrategy, type Weekday } from '../../../protocol/contactCentre.js';
import { t } from '../i18n.js';
import type { AdminApi } from './adminApi.js';
import { ErrorLine, ProblemLines, Section, toggled, useAction } from './common.js';
import { isTime24, normalizeTime24 } from './time24.js';
import { RoutingRulesFieldset } from './teamRoutingRules.js';
import { draftProblems, draftToBody, validTimeZone, type TeamDraft } from './teamDraft.js';

let zones: string[] | null = null;
function timeZones(): string[] {
  if (!zones) {
    try {
      zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
    } catch {
      zones = [];
    }
  }
  return zones;
}

export function TeamEditor(props: { admin: AdminApi; id: string | null; initial: TeamDraft; agents: AgentPresenceView[]; onDone: (changed: boolean) => void }) {
  const [d, setD] = useState<TeamDraft>(props.initial);
  const [holiday, setHoliday] = useState('');
  const act = useAction();
  const problems = draftProblems(d);
  const set = (p: Partial<TeamDraft>) => setD({ ...d, ...p });
  const setDay = (day: Weekday, p: Partial<TeamDraft['days'][Weekday]>) => set({ days: { ...d.days, [day]: { ...d.days[day], ...p } } });
  const save = async (e: Event) => {
    e.preventDefault();
    if (problems.length || !d.name.trim()) return;
    if (await act.run(() => props.admin.saveTeam(props.id, draftToBody(d)))) props.onDone(true);
  };
  const title = props.id ? t.admTeamEditTitle(props.initial.name) : t.admTeamNew;
  return (
    <Section title={title} id="team-editor">
      <form class="adm-stack" id="team-form" onSubmit={save} aria-label={title}>
        <div class="adm-grid">
          <label class="field">
            <span>{t.admTeamName}</span>
            <input id="team-name" required maxLength={80} value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t.admTeamStrategy}</span>
            <select id="team-strategy" value={d.strategy} onChange={(e) => set({ strategy: (e.target as HTMLSelectElement).value as RoutingStrategy })}>
              <option value="round_robin">{t.admRoundRobin}</option>
              <option value="least_busy">{t.admLeastBusy}</option>
            </select>
          </label>
          <label class="field">
            <span>{t.admTeamZone}</span>
            <input id="team-zone" list="team-zones" required value={d.timeZone} aria-invalid={validTimeZone(d.timeZone) ? undefined : 'true'} onInput={(e) => set({ timeZone: e.currentTarget.value })} />
            <datalist id="team-zones">
              {timeZones().map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
          <label class="field">
            <span>{t.admNotifyEmail}</span>
            <input id="team-email" type="email" maxLength={254} value={d.notifyEmail} onInput={(e) => set({ notifyEmail: e.currentTarget.value })} />
          </label>
        </div>
        <p class="muted adm-small">{t.admRoundRobinHint}</p>
        <label class="adm-check">
          <input type="checkbox" id="team-default" checked={d.isDefault} onChange={(e) => set({ isDefault: e.currentTarget.checked })} /> {t.admTeamDefaultHint}
        </label>
        <fieldset>
          <legend>{t.admTeamMembers}</legend>
          <div class="adm-members" id="team-members">
            {props.agents.map((a) => (
              <label class="adm-check" key={a.id}>
                <input
                  type="checkbox"
                  checked={d.memberIds.includes(a.id)}
                  onChange={(e) => set({ memberIds: toggled(d.memberIds, a.id, e.currentTarget.checked) })}
                />{' '}
                {a.name}
              </label>
            ))}
          </div>
        </fieldset>
        <RoutingRulesFieldset rules={d.routingRules} onChange={(routingRules) => set({ routingRules })} />
        <fieldset>
          <legend>{t.admHoursSet}</legend>
          <label class="adm-check">
            <input type="checkbox" id="team-always" checked={d.alwaysOpen} onChange={(e) => set({ alwaysOpen: e.currentTarget.checked })} /> {t.admHoursAlways}
          </label>
          {!d.alwaysOpen && (
            <table class="adm-table adm-hours" id="team-hours">
              <caption class="visually-hidden">{t.admHoursWeekly}</caption>
              <tbody>
                {WEEKDAYS.map((day) => {
                  const v = d.days[day];
                  const bad = v.open && !(isTime24(v.from) && isTime24(v.to, true) && v.from < v.to);
                  return (
                    <tr key={day}>
                      <th scope="row">
                        <label class="adm-check">
                          <input type="checkbox" id={`team-open-${day}`} checked={v.open} onChange={(e) => setDay(day, { open: e.currentTarget.checked })} /> {t.admDay(day)}
                        </label>
                      </th>
                      <td>
                        {v.open ? (
                          <span class="adm-row">
                            <label class="adm-time">
                              <span class="visually-hidden">{`${t.admDay(day)} ${t.admFrom}`}</span>
                              <Time24 id={`team-from-${day}`} value={v.from} bad={bad} onChange={(from) => setDay(day, { from })} />
                            </label>
                            <span aria-hidden="true">–</span>
                            <label class="adm-time">
                              <span class="visually-hidden">{`${t.admDay(day)} ${t.admTo}`}</span>
                              <Time24 id={`team-to-${day}`} closing value={v.to} bad={bad} onChange={(to) => setDay(day, { to })} />
                            </label>
                          </span>
                        ) : (
                          <span class="muted">{t.admDayClosed}</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </fieldset>
        <fieldset>
          <legend>{t.admHolidays}</legend>
          <div class="adm-row">
            {d.holidays.map((h) => (
              <span class="adm-pill adm-chip" key={h}>
                {h}
                <button type="button" class="adm-chip-x" aria-label={t.admHolidayRemove(h)} onClick={() => set({ holidays: d.holidays.filter((x) => x !== h) })}>
                  ×
                </button>
              </span>
            ))}
          </div>
          <div class="adm-inline">
            <label class="field">
              <span class="visually-hidden">{t.admHolidayAdd}</span>
              <input type="date" id="team-holiday" value={holiday} onInput={(e) => setHoliday(e.currentTarget.value)} />
            </label>
            <button
              type="button"
              class="btn btn-secondary"
              id="team-holiday-add"
              disabled={!/^\d{4}-\d{2}-\d{2}$/.test(holiday)}
              onClick={() => {
                set({ holidays: [...new Set([...d.holidays, holiday])].sort() });
                setHoliday('');
              }}
            >
              {t.admHolidayAdd}
            </button>
          </div>
        </fieldset>
        <ProblemLines problems={problems} />
        <ErrorLine error={act.error} />
        <div class="adm-row">
          <button class="btn btn-primary" type="submit" id="team-save" disabled={act.busy || problems.length > 0 || !d.name.trim()}>
            {props.id ? t.admTeamSave : t.admTeamCreate}
          </button>
          <button type="button" class="btn btn-ghost" onClick={() => props.onDone(false)}>
            {t.admCancel}
          </button>
        </div>
      </form>
    </Section>
  );
}

/** A 24-hour time field (HH:MM), tidied when it loses focus ("9" becomes "09:00"); a closing time may be 24:00. */
function Time24(props: { id: string; value: string; bad: boolean; closing?: boolean; onChange: (v: string) => void }) {
  return (
    <input
      type="text"
      id={props.id}
      class="adm-time24"
      inputMode="numeric"
      maxLength={5}
      placeholder={t.admTimePlaceholder}
      title={t.admTimeHint}
      value={props.value}
      aria-invalid={props.bad ? 'true' : undefined}
      onInput={(e) => props.onChange(e.currentTarget.value)}
      onBlur={(e) => props.onChange(normalizeTime24(e.currentTarget.value, props.closing) ?? e.currentTarget.value)}
    />
  );
}
