/**
 * Analytics for one tenant over a period: conversations per hour/day, first response time,
 * resolution time (median and p90) and satisfaction, overall, per agent and per team.
 *
 * The database returns one row per conversation of the period (with its first public agent reply
 * and its rating); the statistics are computed here, so SQLite and PostgreSQL give identical
 * answers. Percentiles interpolate linearly between ranks, exactly as PostgreSQL's percentile_cont.
 */
import type { DurationStat, Report, ReportGroupRow, ReportQuery, SatisfactionStat } from '../../protocol/admin.js';
import { AppError } from '../errors.js';
import type { Db } from '../storage/db.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const MAX_REPORT_DAYS = 366;
export const MAX_HOURLY_DAYS = 31;

/** percentile_cont: p in [0, 1] over the sorted values; null for an empty set. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const idx = p * (sorted.length - 1);
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (idx - lo);
}

export function durationStat(values: number[]): DurationStat {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: percentile(sorted, 0.5), p90Ms: percentile(sorted, 0.9) };
}

export function satisfactionStat(ratings: number[]): SatisfactionStat {
  if (ratings.length === 0) return { count: 0, average: null, positiveShare: null };
  const sum = ratings.reduce((a, b) => a + b, 0);
  return { count: ratings.length, average: Math.round((sum / ratings.length) * 1000) / 1000, positiveShare: Math.round((ratings.filter((r) => r >= 4).length / ratings.length) * 1000) / 1000 };
}

export interface Period {
  from: number;
  to: number;
  bucket: 'hour' | 'day';
  /** IANA zone the buckets follow (local midnights and hours, daylight saving included). */
  timeZone: string;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** Local time minus UTC, in ms, in `tz` at the instant `ms`. */
function tzOffset(ms: number, tz: string): number {
  let f = offsetFormats.get(tz);
  if (!f) offsetFormats.set(tz, (f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })));
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(ms / 1000) * 1000;
}

/** The start of the hour or day (in `tz`) that contains `ms`. */
export function bucketStart(ms: number, bucket: 'hour' | 'day', tz: string): number {
  const size = bucket === 'hour' ? HOUR : DAY;
  const off = tzOffset(ms, tz);
  const local = Math.floor((ms + off) / size) * size;
  // The offset at the bucket's start may differ (a daylight-saving change during the day).
  return local - tzOffset(local - off, tz);
}

/** Every bucket start from the one containing `from` up to `to`, local days being 23 to 25 hours long. */
export function bucketStarts(period: Period): number[] {
  const size = period.bucket === 'hour' ? HOUR : DAY;
  const out: number[] = [];
  for (let b = bucketStart(period.from, period.bucket, period.timeZone); b < period.to && out.length < 10_000; b = bucketStart(b + size * 1.5, period.bucket, period.timeZone)) out.push(b);
  return out;
}

export function resolvePeriod(q: ReportQuery, now = Date.now()): Period {
  const bucket = q.bucket ?? 'day';
  const to = q.to ? Date.parse(q.to) : Math.ceil(now / HOUR) * HOUR;
  const from = q.from ? Date.parse(q.from) : to - 7 * DAY;
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new AppError('validation_failed', 'from and to must be ISO 8601 date-times');
  if (to <= from) throw new AppError('validation_failed', 'to must be after from');
  const maxDays = bucket === 'hour' ? MAX_HOURLY_DAYS : MAX_REPORT_DAYS;
  if (to - from > maxDays * DAY) throw new AppError('validation_failed', `a ${bucket}ly report covers at most ${maxDays} days`);
  const timeZone = q.timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new AppError('validation_failed', `unknown time zone "${timeZone}" (use an IANA name such as Europe/Paris)`);
  }
  return { from, to, bucket, timeZone };
}

interface ConvRow {
  id: string;
  created_at: number;
  resolved_at: number | null;
  status: string;
  assignee_id: string | null;
  team_id: string | null;
  first_agent_at: number | null;
  rating: number | null;
  rating_agent: string | null;
}

function group(id: string | null, name: string, rows: ConvRow[]): ReportGroupRow {
  return {
    id,
    name,
    conversations: rows.length,
    resolved: rows.filter((r) => r.status === 'resolved').length,
    firstResponse: durationStat(rows.flatMap((r) => (r.first_agent_at !== null ? [Number(r.first_agent_at) - Number(r.created_at)] : []))),
    resolution: durationStat(rows.flatMap((r) => (r.status === 'resolved' && r.resolved_at !== null ? [Number(r.resolved_at) - Number(r.created_at)] : []))),
    satisfaction: satisfactionStat(rows.flatMap((r) => (r.rating !== null ? [Number(r.rating)] : []))),
  };
}

export async function buildReport(db: Db, tenantId: string, period: Period): Promise<Report> {
  const rows = (await db
    .selectFrom('conversations as c')
    .leftJoin('satisfaction_ratings as r', (j) => j.onRef('r.conversation_id', '=', 'c.id').on('r.tenant_id', '=', tenantId))
    .select(['c.id', 'c.created_at', 'c.resolved_at', 'c.status', 'c.assignee_id', 'c.team_id', 'r.rating', 'r.agent_id as rating_agent'])
    .select((eb) =>
      eb
        .selectFrom('messages as m')
        .select((e) => e.fn.min('m.created_at').as('x'))
        .whereRef('m.conversation_id', '=', 'c.id')
        .where('m.tenant_id', '=', tenantId)
        .where('m.author_kind', '=', 'agent')
        .where('m.internal', '=', 0)
        .as('first_agent_at'),
    )
    .where('c.tenant_id', '=', tenantId)
    .where('c.created_at', '>=', period.from)
    .where('c.created_at', '<', period.to)
    .execute()) as unknown as ConvRow[];
  for (const r of rows) {
    // PostgreSQL returns min(bigint) as bigint (parsed to number) but be strict about nulls and strings.
    r.created_at = Number(r.created_at);
    r.first_agent_at = r.first_agent_at === null ? null : Number(r.first_agent_at);
    r.resolved_at = r.resolved_at === null ? null : Number(r.resolved_at);
    r.team_id = r.team_id ?? null;
  }

  const counts = new Map<number, number>();
  for (const r of rows) {
    const b = bucketStart(r.created_at, period.bucket, period.timeZone);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const volume: Report['volume'] = bucketStarts(period).map((b) => ({ start: new Date(b).toISOString(), conversations: counts.get(b) ?? 0 }));

  const agents = await db.selectFrom('agents').select(['id', 'name', 'disabled_at']).where('tenant_id', '=', tenantId).orderBy('name').execute();
  // A rating belongs to the agent who handled the conversation when it was given, else the assignee.
  const handler = (r: ConvRow) => r.assignee_id;
  const agentRows: ReportGroupRow[] = [];
  for (const a of agents) {
    const mine = rows.filter((r) => handler(r) === a.id);
    if (mine.length === 0 && a.disabled_at !== null) continue;
    const row = group(a.id, a.name, mine);
    const rated = rows.filter((r) => r.rating !== null && (r.rating_agent ?? r.assignee_id) === a.id).map((r) => Number(r.rating));
    row.satisfaction = satisfactionStat(rated);
    agentRows.push(row);
  }
  const unassigned = rows.filter((r) => handler(r) === null);
  if (unassigned.length) agentRows.push(group(null, 'Unassigned', unassigned));

  const teams = await db.selectFrom('teams').select(['id', 'name']).where('tenant_id', '=', tenantId).orderBy('name').execute();
  let teamRows: ReportGroupRow[] | null = null;
  if (teams.length) {
    teamRows = teams.map((t) => group(t.id, t.name, rows.filter((r) => r.team_id === t.id)));
    const noTeam = rows.filter((r) => r.team_id === null);
    if (noTeam.length) teamRows.push(group(null, 'No team', noTeam));
  }

  const all = group(null, 'All', rows);
  return {
    from: new Date(period.from).toISOString(),
    to: new Date(period.to).toISOString(),
    bucket: period.bucket,
    timeZone: period.timeZone,
    volume,
    conversations: rows.length,
    firstResponse: all.firstResponse,
    resolution: all.resolution,
    satisfaction: all.satisfaction,
    agents: agentRows,
    teams: teamRows,
  };
}

/** A field as CSV: quoted when needed, and never starting with a formula character (CSV injection). */
function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const secs = (ms: number | null) => (ms === null ? '' : (ms / 1000).toFixed(1));

export function reportCsv(report: Report, table: 'volume' | 'agents' | 'teams'): string {
  const lines: unknown[][] = [];
  if (table === 'volume') {
    lines.push(['bucket_start', 'conversations']);
    for (const v of report.volume) lines.push([v.start, v.conversations]);
  } else {
    lines.push([
      table === 'agents' ? 'agent_id' : 'team_id',
      'name',
      'conversations',
      'resolved',
      'first_response_median_s',
      'first_response_p90_s',
      'resolution_median_s',
      'resolution_p90_s',
      'satisfaction_average',
      'satisfaction_count',
    ]);
    for (const r of (table === 'agents' ? report.agents : report.teams) ?? []) {
      lines.push([r.id, r.name, r.conversations, r.resolved, secs(r.firstResponse.medianMs), secs(r.firstResponse.p90Ms), secs(r.resolution.medianMs), secs(r.resolution.p90Ms), r.satisfaction.average ?? '', r.satisfaction.count]);
    }
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}
