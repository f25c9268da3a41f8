/** Analytics: volume chart, response/resolution/satisfaction cards, per-agent and per-team tables, CSV. */
import { useState } from 'preact/hooks';
import type { Report, ReportGroupRow } from '../../../protocol/admin.js';
import type { TeamView } from '../../../protocol/contactCentre.js';
import type { AdminApi } from './adminApi.js';
import { bucketLabel, columnBars, formatDuration } from './charts.js';
import { AdminTable, ErrorLine, Section, useLoad } from './common.js';
import { locale, t } from '../i18n.js';
import { LabelReport } from './labelReport.js';
import type { ApiClient } from '../api.js';
import { SlaReportSection } from './slaPolicies.js';
import { ProactiveReportSection } from './proactiveRules.js';

type Range = '24h' | '7d' | '30d';
const RANGES: Record<Range, { label: () => string; hours: number; bucket: 'hour' | 'day' }> = {
  '24h': { label: () => t.admLast24h, hours: 24, bucket: 'hour' },
  '7d': { label: () => t.admLast7d, hours: 7 * 24, bucket: 'day' },
  '30d': { label: () => t.admLast30d, hours: 30 * 24, bucket: 'day' },
};

export function periodFor(range: Range, now = Date.now()): { from: string; to: string; bucket: 'hour' | 'day' } {
  const r = RANGES[range];
  const unit = r.bucket === 'hour' ? 3_600_000 : 86_400_000;
  const to = Math.ceil(now / unit) * unit;
  return { from: new Date(to - r.hours * 3_600_000).toISOString(), to: new Date(to).toISOString(), bucket: r.bucket };
}

/** Zones offered: the teams' (the tenant's business hours), the browser's, UTC; the default team's first. */
function zonesOf(teams: TeamView[] | undefined): string[] {
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const byDefault = [...(teams ?? [])].sort((a, b) => Number(b.isDefault) - Number(a.isDefault)).map((tm) => tm.timeZone);
  return [...new Set([...byDefault, browser, 'UTC'].filter(Boolean))];
}

export function Analytics(props: { admin: AdminApi; api?: ApiClient }) {
  const [range, setRange] = useState<Range>('7d');
  const teams = useLoad(() => props.admin.teams(), []);
  const zones = zonesOf(teams.data?.items);
  const [chosenZone, setZone] = useState<string | null>(null);
  const timeZone = chosenZone ?? zones[0]!;
  const period = { ...periodFor(range), timeZone };
  const report = useLoad(() => (teams.data || teams.error ? props.admin.report(period) : new Promise<never>(() => {})), [range, timeZone, !!(teams.data || teams.error)]);
  const csv = (table: string) => `/api/reports/export.csv?from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}&bucket=${period.bucket}&timeZone=${encodeURIComponent(timeZone)}&table=${table}`;
  const r = report.data;
  return (
    <>
      <div class="adm-row adm-toolbar">
        <div class="segmented" role="group" aria-label={t.admPeriod}>
          {(Object.keys(RANGES) as Range[]).map((k) => (
            <button type="button" class="segment" key={k} aria-pressed={range === k} onClick={() => setRange(k)}>
              {RANGES[k].label()}
            </button>
          ))}
        </div>
        <label class="adm-zone">
          <span>{t.admTimeZone}</span>
          <select id="analytics-zone" value={timeZone} onChange={(e) => setZone(e.currentTarget.value)}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorLine error={report.error} />
      {r && (
        <>
          <div class="adm-cards" id="analytics-cards">
            <Stat label={t.admConversations} value={String(r.conversations)} />
            <Stat label={t.admFirstResponse} value={formatDuration(r.firstResponse.medianMs)} sub={t.admMedianP90(formatDuration(r.firstResponse.p90Ms))} />
            <Stat label={t.admResolution} value={formatDuration(r.resolution.medianMs)} sub={t.admMedianP90(formatDuration(r.resolution.p90Ms))} />
            <Stat
              label={t.admSatisfaction}
              value={r.satisfaction.average === null ? '—' : `${r.satisfaction.average.toFixed(1)} / 5`}
              sub={r.satisfaction.count ? t.admSatisfactionSub(Math.round((r.satisfaction.positiveShare ?? 0) * 100), r.satisfaction.count) : t.admNoRatings}
            />
          </div>
          <Section title={t.admPerBucket(r.bucket)}>
            <VolumeChart report={r} />
            <a class="btn btn-ghost btn-sm" href={csv('volume')} download>
              {t.admDownloadCsv}
            </a>
          </Section>
          <Section title={t.admFirstByAgent}>
            <AgentBars rows={r.agents.filter((a) => a.id !== null)} />
          </Section>
          <GroupTable title={t.admColAgents} rows={r.agents} csv={csv('agents')} id="agents-report" />
          {r.teams && <GroupTable title={t.admTeams} rows={r.teams} csv={csv('teams')} id="teams-report" />}
          <LabelReport from={period.from} to={period.to} />
          {props.api && <SlaReportSection api={props.api} from={period.from} to={period.to} />}
          {props.api && <ProactiveReportSection api={props.api} from={period.from} to={period.to} />}
        </>
      )}
    </>
  );
}

function Stat(props: { label: string; value: string; sub?: string }) {
  return (
    <div class="adm-stat">
      <div class="adm-stat-label">{props.label}</div>
      <div class="adm-stat-value">{props.value}</div>
      {props.sub && <div class="adm-stat-sub">{props.sub}</div>}
    </div>
  );
}

const W = 720;
const H = 180;
const PAD = { l: 36, b: 24, t: 8 };

function VolumeChart(props: { report: Report }) {
  const { volume, bucket } = props.report;
  const { bars, max } = columnBars(
    volume.map((v) => ({ label: bucketLabel(v.start, bucket, props.report.timeZone ?? 'UTC', locale), value: v.conversations })),
    W - PAD.l,
    H - PAD.b - PAD.t,
    bucket === 'hour' ? 2 : 6,
  );
  const every = Math.ceil(bars.length / 12);
  return (
    <svg class="adm-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${t.admPerBucket(bucket)}: ${volume.map((v) => v.conversations).join(', ')}`}>
      {[0, 0.5, 1].map((f) => {
        const y = PAD.t + (H - PAD.b - PAD.t) * (1 - f);
        return (
          <g key={f}>
            <line x1={PAD.l} x2={W} y1={y} y2={y} class="adm-grid-line" />
            <text x={PAD.l - 6} y={y + 4} text-anchor="end" class="adm-axis">
              {Number.isInteger(max * f) ? max * f : (max * f).toFixed(1)}
            </text>
          </g>
        );
      })}
      {bars.map((b, i) => (
        <g key={i}>
          <rect x={PAD.l + b.x} y={PAD.t + b.y} width={b.width} height={Math.max(b.height, b.value ? 1 : 0)} class="adm-bar" rx={2}>
            <title>{`${b.label}: ${b.value}`}</title>
          </rect>
          {i % every === 0 && (
            <text x={PAD.l + b.x + b.width / 2} y={H - 6} text-anchor="middle" class="adm-axis">
              {b.label}
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}

function AgentBars(props: { rows: ReportGroupRow[] }) {
  const rows = props.rows.filter((r) => r.firstResponse.medianMs !== null);
  if (rows.length === 0) return <p class="muted">{t.admNoAgentReplies}</p>;
  const max = Math.max(...rows.map((r) => r.firstResponse.medianMs!));
  const rowH = 26;
  const labelW = 160;
  const h = rows.length * rowH;
  return (
    <svg class="adm-chart" viewBox={`0 0 ${W} ${h}`} role="img" aria-label={t.admFirstByAgent}>
      {rows.map((r, i) => {
        const w = ((W - labelW - 110) * r.firstResponse.medianMs!) / max;
        return (
          <g key={r.id ?? i}>
            <text x={labelW - 8} y={i * rowH + 17} text-anchor="end" class="adm-axis adm-axis-lg">
              {r.name}
            </text>
            <rect x={labelW} y={i * rowH + 5} width={Math.max(w, 2)} height={rowH - 10} class="adm-bar" rx={2} />
            <text x={labelW + Math.max(w, 2) + 6} y={i * rowH + 17} class="adm-axis adm-axis-lg">
              {formatDuration(r.firstResponse.medianMs)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function GroupTable(props: { title: string; rows: ReportGroupRow[]; csv: string; id: string }) {
  return (
    <Section title={props.title}>
      <AdminTable class="adm-num" id={props.id} columns={[t.admColName, t.admConversations, t.admColResolved, t.admColFirstResponse, t.admColResolution, t.admSatisfaction]}>
        {props.rows.map((r) => (
          <tr key={r.id ?? r.name}>
            <td>{r.name}</td>
            <td>{r.conversations}</td>
            <td>{r.resolved}</td>
            <td>
              {formatDuration(r.firstResponse.medianMs)} / {formatDuration(r.firstResponse.p90Ms)}
            </td>
            <td>
              {formatDuration(r.resolution.medianMs)} / {formatDuration(r.resolution.p90Ms)}
            </td>
            <td>{r.satisfaction.average === null ? '—' : `${r.satisfaction.average.toFixed(1)} (${r.satisfaction.count})`}</td>
          </tr>
        ))}
      </AdminTable>
      <a class="btn btn-ghost btn-sm" href={props.csv} download>
        {t.admDownloadCsv}
      </a>
    </Section>
  );
}
