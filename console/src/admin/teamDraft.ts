/**
 * A team as the editor holds it (TeamDraft), to and from the API's TeamBody/TeamView, its checks,
 * and the hours summary shown in the teams table.
 */
import { WEEKDAYS, type RoutingRule, type RoutingStrategy, type TeamBody, type TeamView, type Weekday } from '../../../protocol/contactCentre.js';
import { t } from '../i18n.js';
import { ruleProblems, rulesToBody } from './teamRoutingRules.js';

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
