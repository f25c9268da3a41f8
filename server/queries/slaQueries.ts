/**
 * Read models of service levels: the tenant's policies, each open conversation's running clocks
 * (the console's countdowns) and the met/breached report per policy and team. Every query takes
 * the tenant id first.
 */
import type { ConversationSlaView, SlaClockView, SlaPolicyView, SlaReport, SlaReportRow } from '../../protocol/sla.js';
import type { WeeklyHours } from '../../protocol/contactCentre.js';
import { AppError } from '../errors.js';
import type { HoursSpec } from '../policies/businessHours.js';
import type { Db } from '../storage/db.js';
import type { ConversationSlaTable, SlaPolicyTable } from '../storage/slaSchema.js';
import '../storage/slaSchema.js';

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();
const num = (v: number | string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

export type SlaRow = ConversationSlaTable;
export type SlaPolicyRow = SlaPolicyTable;

export async function slaPolicyViews(db: Db, tenantId: string, id?: string): Promise<SlaPolicyView[]> {
  let q = db
    .selectFrom('sla_policies as p')
    .innerJoin('teams as t', (j) => j.onRef('t.id', '=', 'p.team_id').on('t.tenant_id', '=', tenantId))
    .selectAll('p')
    .select('t.name as team_name')
    .where('p.tenant_id', '=', tenantId);
  if (id) q = q.where('p.id', '=', id);
  const rows = await q.orderBy('p.name').execute();
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    team: { id: p.team_id, name: p.team_name },
    firstResponseMinutes: num(p.first_response_minutes),
    nextResponseMinutes: num(p.next_response_minutes),
    resolutionMinutes: num(p.resolution_minutes),
    businessHours: p.business_hours === 1,
    createdAt: iso(p.created_at),
    updatedAt: iso(p.updated_at),
  }));
}

export async function slaPolicyView(db: Db, tenantId: string, id: string): Promise<SlaPolicyView> {
  const [view] = await slaPolicyViews(db, tenantId, id);
  if (!view) throw new AppError('not_found', 'SLA policy not found');
  return view;
}

/** The hours a policy counts in: its team's, or null when it counts every minute. */
export async function policyHours(db: Db, tenantId: string, policy: Pick<SlaPolicyRow, 'team_id' | 'business_hours'>): Promise<HoursSpec | null> {
  if (policy.business_hours !== 1) return null;
  const team = await db.selectFrom('teams').select(['time_zone', 'weekly_hours', 'holidays']).where('tenant_id', '=', tenantId).where('id', '=', policy.team_id).executeTakeFirst();
  if (!team) return null;
  return { timeZone: team.time_zone, weeklyHours: team.weekly_hours === null ? null : (JSON.parse(team.weekly_hours) as WeeklyHours), holidays: JSON.parse(team.holidays) as string[] };
}

/** The clocks still running or breached on one row (met clocks, and every clock of a resolved conversation, are left out). */
export function slaClocks(r: SlaRow): SlaClockView[] {
  if (r.closed_at !== null) return [];
  const clocks: SlaClockView[] = [];
  const fDue = num(r.first_response_due_at);
  if (fDue !== null && r.first_response_at === null) clocks.push({ target: 'first_response', dueAt: iso(fDue), metAt: null, breachedAt: r.first_response_breached_at === null ? null : iso(r.first_response_breached_at) });
  const nDue = num(r.next_response_due_at);
  if (nDue !== null) clocks.push({ target: 'next_response', dueAt: iso(nDue), metAt: null, breachedAt: r.next_response_breached_at === null ? null : iso(r.next_response_breached_at) });
  const rDue = num(r.resolution_due_at);
  if (rDue !== null && r.resolved_at === null) clocks.push({ target: 'resolution', dueAt: iso(rDue), metAt: null, breachedAt: r.resolution_breached_at === null ? null : iso(r.resolution_breached_at) });
  return clocks.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

/** Open conversations' SLA (the console's countdowns); `ids` narrows to some conversations. */
export async function conversationSlaViews(db: Db, tenantId: string, ids?: string[]): Promise<ConversationSlaView[]> {
  if (ids && ids.length === 0) return [];
  let q = db
    .selectFrom('conversation_sla as s')
    .innerJoin('sla_policies as p', (j) => j.onRef('p.id', '=', 's.policy_id').on('p.tenant_id', '=', tenantId))
    .selectAll('s')
    .select('p.name as policy_name')
    .where('s.tenant_id', '=', tenantId);
  q = ids ? q.where('s.conversation_id', 'in', ids) : q.where('s.closed_at', 'is', null);
  const rows = await q.limit(2000).execute();
  return rows.map((r) => ({ conversationId: r.conversation_id, policy: { id: r.policy_id, name: r.policy_name }, clocks: slaClocks(r) }));
}

/** Met, breached and pending targets of the conversations whose SLA started in [from, to), per policy (and its team). */
export async function slaReport(db: Db, tenantId: string, from: number, to: number): Promise<SlaReport> {
  const rows = await db
    .selectFrom('conversation_sla as s')
    .selectAll('s')
    .where('s.tenant_id', '=', tenantId)
    .where('s.started_at', '>=', from)
    .where('s.started_at', '<', to)
    .execute();
  const policies = await slaPolicyViews(db, tenantId);
  const out: SlaReportRow[] = [];
  for (const p of policies) {
    const mine = rows.filter((r) => r.policy_id === p.id);
    const row: SlaReportRow = {
      policy: { id: p.id, name: p.name },
      team: p.team,
      conversations: mine.length,
      firstResponse: { met: 0, breached: 0, pending: 0 },
      nextResponse: { met: 0, breached: 0, pending: 0 },
      resolution: { met: 0, breached: 0, pending: 0 },
    };
    for (const r of mine) {
      tally(row.firstResponse, num(r.first_response_due_at), num(r.first_response_at), r.first_response_breached_at !== null, r.closed_at !== null);
      tally(row.resolution, num(r.resolution_due_at), num(r.resolved_at), r.resolution_breached_at !== null, false);
      row.nextResponse.met += Number(r.next_met);
      row.nextResponse.breached += Number(r.next_breached);
      if (r.next_response_due_at !== null && r.next_response_breached_at === null && r.closed_at === null) row.nextResponse.pending++;
    }
    out.push(row);
  }
  return { from: iso(from), to: iso(to), rows: out };
}

function tally(o: { met: number; breached: number; pending: number }, due: number | null, metAt: number | null, breached: boolean, closed: boolean): void {
  if (due === null) return;
  if (breached || (metAt !== null && metAt > due)) o.breached++;
  else if (metAt !== null) o.met++;
  else if (!closed) o.pending++;
}

/** A field as CSV: quoted when needed, never starting with a formula character (CSV injection). */
function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function slaReportCsv(report: SlaReport): string {
  const head = ['policy_id', 'policy', 'team_id', 'team', 'conversations'];
  for (const t of ['first_response', 'next_response', 'resolution']) head.push(`${t}_met`, `${t}_breached`, `${t}_pending`);
  const lines: unknown[][] = [head];
  for (const r of report.rows) {
    lines.push([r.policy.id, r.policy.name, r.team?.id ?? '', r.team?.name ?? '', r.conversations, ...[r.firstResponse, r.nextResponse, r.resolution].flatMap((o) => [o.met, o.breached, o.pending])]);
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}
