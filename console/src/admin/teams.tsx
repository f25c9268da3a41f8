/**
 * Teams (queues) with members, routing strategy, business hours (IANA time zone, weekly hours,
 * holidays); agent capacity; and the contact settings (identity-verification secret, bot).
 */
import { useState } from 'preact/hooks';
import { WEEKDAYS, type AgentPresenceView, type RoutingRule, type RoutingStrategy, type TeamBody, type TeamView, type Weekday } from '../../../protocol/contactCentre.js';
import { t } from '../i18n.js';
import type { AdminApi } from './adminApi.js';
import { AdminTable, ErrorLine, ProblemLines, Section, ShownOnce, toggled, useAction, useLoad } from './common.js';
import { isTime24, normalizeTime24 } from './time24.js';
import { RoutingRulesFieldset, ruleProblems, rulesToBody } from './teamRoutingRules.js';

/** One opening interval per day in the editor; a day without one is closed. */
export interface TeamDraft {
  name: string;
  strategy: RoutingStrategy;
  isDefault: boolean;
  timeZone: string;
  alwaysOpen: boolean;
  days: Record<Weekday, { open: boolean; from: string; to: string }>;
  holidays: string[];
  notifyEmail: string;
  memberIds: string[];
  routingRules: RoutingRule[];
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function validTimeZone(zone: string): boolean {
  if (!zone.trim()) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone.trim() });
    return true;
  } catch {
    return false;
  }
}

export function emptyDraft(zone = browserTimeZone()): TeamDraft {
  const days = {} as TeamDraft['days'];
  for (const d of WEEKDAYS) days[d] = { open: d !== 'sat' && d !== 'sun', from: '09:00', to: '17:00' };
  return { name: '', strategy: 'round_robin', isDefault: false, timeZone: zone, alwaysOpen: false, days, holidays: [], notifyEmail: '', memberIds: [], routingRules: [] };
}

export function draftFromTeam(team: TeamView): TeamDraft {
  const d = emptyDraft(team.timeZone);
  for (const day of WEEKDAYS) {
    const first = team.weeklyHours?.[day]?.[0];
    d.days[day] = first ? { open: true, from: first[0], to: first[1] } : { open: false, from: '09:00', to: '17:00' };
  }
  return { ...d, name: team.name, strategy: team.strategy, isDefault: team.isDefault, alwaysOpen: team.weeklyHours === null, holidays: [...team.holidays], notifyEmail: team.notifyEmail ?? '', memberIds: [...team.memberIds], routingRules: team.routingRules.map((r) => ({ ...r })) };
}

/** Problems the server would refuse, in the user's language (empty: fine). */
export function draftProblems(d: TeamDraft): string[] {
  const out: string[] = [];
  if (!validTimeZone(d.timeZone)) out.push(t.admZoneInvalid);
  if (!d.alwaysOpen) for (const day of WEEKDAYS) if (d.days[day].open && !(d.days[day].from < d.days[day].to)) out.push(t.admIntervalBad(t.admDay(day)));
  out.push(...ruleProblems(d.routingRules));
  return out;
}

export function draftToBody(d: TeamDraft): TeamBody {
  const weeklyHours: NonNullable<TeamBody['weeklyHours']> = {};
  for (const day of WEEKDAYS) if (d.days[day].open) weeklyHours[day] = [[d.days[day].from, d.days[day].to]];
  return {
    name: d.name.trim(),
    strategy: d.strategy,
    isDefault: d.isDefault,
    timeZone: d.timeZone.trim(),
    weeklyHours: d.alwaysOpen ? null : weeklyHours,
    holidays: [...new Set(d.holidays.filter(Boolean))].sort(),
    notifyEmail: d.notifyEmail.trim() || null,
    memberIds: d.memberIds,
    routingRules: rulesToBody(d.routingRules),
  };
}

/** "Mon–Fri 09:00–17:00" style summary for the table. */
export function hoursSummary(team: TeamView): string {
  if (!team.weeklyHours) return t.admTeamAlwaysOpen;
  // Consecutive days with the same hours form one run: "Mon–Fri 09:00–17:00 · Sat 10:00–12:00".
  const hours = WEEKDAYS.map((d) => (team.weeklyHours?.[d] ?? []).map(([a, b]) => `${a}–${b}`).join(', '));
  const short = (i: number) => t.admDay(WEEKDAYS[i]!).slice(0, 3);
  const parts: string[] = [];
  for (let i = 0; i < WEEKDAYS.length; i++) {
    if (!hours[i]) continue;
    let j = i;
    while (j + 1 < WEEKDAYS.length && hours[j + 1] === hours[i]) j++;
    parts.push(`${j > i ? `${short(i)}–${short(j)}` : short(i)} ${hours[i]}`);
    i = j;
  }
  return parts.length ? parts.join(' · ') : t.admDayClosed;
}

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

const strategyLabel = (s: RoutingStrategy) => (s === 'least_busy' ? t.admLeastBusy : t.admRoundRobin);

export function Teams(props: { admin: AdminApi }) {
  const { admin } = props;
  const teams = useLoad(() => admin.teams());
  const presence = useLoad(() => admin.presence());
  const act = useAction();
  const [editing, setEditing] = useState<{ id: string | null; draft: TeamDraft } | null>(null);
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
                <td class="adm-actions">
                  <button type="button" class="btn btn-secondary btn-sm" onClick={() => setEditing({ id: tm.id, draft: draftFromTeam(tm) })} aria-label={t.admTeamEditTitle(tm.name)}>
                    {t.admEdit}
                  </button>
                  <button
                    type="button"
                    class="btn btn-ghost btn-sm"
                    aria-label={t.deleteNamed(tm.name)}
                    onClick={() => {
                      if (confirm(t.admTeamDeleteConfirm(tm.name))) void act.run(async () => (await admin.deleteTeam(tm.id), teams.reload()));
                    }}
                  >
                    {t.admDelete}
                  </button>
                </td>
              </tr>
            ))}
          </AdminTable>
        )}
        {!editing && (
          <button type="button" class="btn btn-primary" id="team-new" onClick={() => setEditing({ id: null, draft: emptyDraft() })}>
            {t.admTeamNew}
          </button>
        )}
      </Section>
      {editing && (
        <TeamEditor
          admin={admin}
          id={editing.id}
          initial={editing.draft}
          agents={agents}
          onDone={(changed) => {
            setEditing(null);
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

function TeamEditor(props: { admin: AdminApi; id: string | null; initial: TeamDraft; agents: AgentPresenceView[]; onDone: (changed: boolean) => void }) {
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
                  const bad = v.open && !(isTime24(v.from) && isTime24(v.to) && v.from < v.to);
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
                              <Time24 id={`team-to-${day}`} value={v.to} bad={bad} onChange={(to) => setDay(day, { to })} />
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

function Capacity(props: { admin: AdminApi; agents: AgentPresenceView[]; teams: TeamView[]; error: string | null; onChanged: () => void }) {
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

export function ContactSettings(props: { admin: AdminApi }) {
  const { admin } = props;
  const settings = useLoad(() => admin.contactSettings());
  const act = useAction();
  const [secret, setSecret] = useState<string | null>(null);
  const s = settings.data;
  return (
    <>
      <Section title={t.admIdentity} intro={t.admIdentityIntro}>
        <ErrorLine error={settings.error ?? act.error} />
        {secret && <ShownOnce label={t.admIdentityNew} value={secret} note={t.admIdentityNote} onDone={() => setSecret(null)} />}
        {s && (
          <div class="adm-row">
            <span class={`adm-pill ${s.hasIdentitySecret ? 'adm-ok' : ''}`} id="identity-state">
              {s.hasIdentitySecret ? t.admIdentitySet : t.admIdentityUnset}
            </span>
            <button
              type="button"
              class="btn btn-secondary"
              id="identity-rotate"
              disabled={act.busy}
              onClick={() => {
                if (s.hasIdentitySecret && !confirm(t.admIdentityRotateConfirm)) return;
                void act.run(async () => {
                  const r = await admin.saveContactSettings({ rotateIdentitySecret: true });
                  setSecret(r.identitySecret ?? null);
                  settings.set({ botEnabled: r.botEnabled, hasIdentitySecret: r.hasIdentitySecret });
                });
              }}
            >
              {s.hasIdentitySecret ? t.admIdentityRotate : t.admIdentityCreate}
            </button>
          </div>
        )}
      </Section>
      <Section title={t.admBot} intro={t.admBotIntro}>
        {s && (
          <label class="adm-check">
            <input
              type="checkbox"
              id="bot-enabled"
              checked={s.botEnabled}
              disabled={act.busy}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                void act.run(async () => {
                  const r = await admin.saveContactSettings({ botEnabled: on });
                  settings.set({ botEnabled: r.botEnabled, hasIdentitySecret: r.hasIdentitySecret });
                });
              }}
            />{' '}
            {t.admBotLabel}
          </label>
        )}
      </Section>
    </>
  );
}

/** A 24-hour time field (HH:MM), tidied when it loses focus ("9" becomes "09:00"). */
function Time24(props: { id: string; value: string; bad: boolean; onChange: (v: string) => void }) {
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
      onBlur={(e) => props.onChange(normalizeTime24(e.currentTarget.value) ?? e.currentTarget.value)}
    />
  );
}
