/**
 * Admin › Service levels: one SLA policy per team (first reply, next reply and resolution targets in
 * minutes, counted in the team's business hours or in every hour), and the met/breached report
 * shown in Analytics with its CSV.
 */
import { useState } from 'preact/hooks';
import type { TeamView } from '../../../protocol/contactCentre.js';
import type { SlaPolicyBody, SlaPolicyView, SlaReport } from '../../../protocol/sla.js';
import type { ApiClient } from '../api.js';
import { t } from '../i18n.js';
import { AdminTable, ErrorLine, Section, useAction, useLoad, EditorButtons } from './common.js';
import { NewButton, RowActions, useEditing } from './collection.js';

const enc = encodeURIComponent;

export class SlaApi {
  constructor(private readonly api: ApiClient) {}
  policies = (): Promise<{ items: SlaPolicyView[] }> => this.api.request('GET', '/api/sla-policies');
  teams = (): Promise<{ items: TeamView[] }> => this.api.request('GET', '/api/teams');
  save = (id: string | null, body: SlaPolicyBody): Promise<SlaPolicyView> => this.api.request(id ? 'PUT' : 'POST', id ? `/api/sla-policies/${enc(id)}` : '/api/sla-policies', body);
  remove = (id: string): Promise<void> => this.api.request('DELETE', `/api/sla-policies/${enc(id)}`);
  report = (from: string, to: string): Promise<SlaReport> => this.api.request('GET', `/api/reports/sla?from=${enc(from)}&to=${enc(to)}`);
}

interface Draft {
  name: string;
  teamId: string;
  first: string;
  next: string;
  resolution: string;
  businessHours: boolean;
}

const minutes = (s: string): number | null => (s.trim() === '' ? null : Number(s));
const draftOf = (p: SlaPolicyView | null, teamId: string): Draft =>
  p
    ? { name: p.name, teamId: p.team.id, first: p.firstResponseMinutes?.toString() ?? '', next: p.nextResponseMinutes?.toString() ?? '', resolution: p.resolutionMinutes?.toString() ?? '', businessHours: p.businessHours }
    : { name: '', teamId, first: '15', next: '30', resolution: '480', businessHours: true };

export function SlaPolicies(props: { api: ApiClient }) {
  const sla = new SlaApi(props.api);
  const policies = useLoad(() => sla.policies());
  const teams = useLoad(() => sla.teams());
  const act = useAction();
  const { editing, edit, close } = useEditing<Draft>('sla-new');
  const teamList = teams.data?.items ?? [];
  return (
    <>
      <Section title={t.admSlaPolicies} intro={t.admSlaIntro}>
        <ErrorLine error={policies.error ?? teams.error ?? act.error} />
        {teams.data && teamList.length === 0 && <p class="muted">{t.admSlaNoTeams}</p>}
        {policies.data && (
          <AdminTable id="sla-table" columns={[t.admSlaName, t.admSlaTeam, t.slaTarget('first_response'), t.slaTarget('next_response'), t.slaTarget('resolution'), t.admSlaHoursCol]} actions empty={policies.data.items.length === 0 && t.admSlaNone}>
            {policies.data.items.map((p) => (
              <tr key={p.id}>
                <td>
                  <strong>{p.name}</strong>
                </td>
                <td>{p.team.name}</td>
                <td class="adm-nowrap">{t.admSlaMinutes(p.firstResponseMinutes)}</td>
                <td class="adm-nowrap">{t.admSlaMinutes(p.nextResponseMinutes)}</td>
                <td class="adm-nowrap">{t.admSlaMinutes(p.resolutionMinutes)}</td>
                <td>{p.businessHours ? t.admSlaBusiness : t.admSlaCalendar}</td>
                <RowActions
                  name={p.name}
                  editLabel={t.admSlaEdit(p.name)}
                  confirmText={t.admSlaDeleteConfirm(p.name)}
                  onEdit={() => edit(p.id, draftOf(p, p.team.id))}
                  onDelete={() => void act.run(async () => (await sla.remove(p.id), policies.reload()))}
                />
              </tr>
            ))}
          </AdminTable>
        )}
        <NewButton id="sla-new" label={t.admSlaNew} shown={!editing && teamList.length > 0} onClick={() => edit(null, draftOf(null, teamList[0]!.id))} />
      </Section>
      {editing && (
        <SlaEditor
          sla={sla}
          id={editing.id}
          initial={editing.draft}
          teams={teamList}
          onDone={(changed) => {
            close();
            if (changed) policies.reload();
          }}
        />
      )}
    </>
  );
}

function SlaEditor(props: { sla: SlaApi; id: string | null; initial: Draft; teams: TeamView[]; onDone: (changed: boolean) => void }) {
  const [d, setD] = useState<Draft>(props.initial);
  const act = useAction();
  const set = (p: Partial<Draft>) => setD({ ...d, ...p });
  const title = props.id ? t.admSlaEdit(props.initial.name) : t.admSlaNew;
  const save = async (e: Event) => {
    e.preventDefault();
    const body: SlaPolicyBody = { name: d.name.trim(), teamId: d.teamId, firstResponseMinutes: minutes(d.first), nextResponseMinutes: minutes(d.next), resolutionMinutes: minutes(d.resolution), businessHours: d.businessHours };
    if (await act.run(() => props.sla.save(props.id, body))) props.onDone(true);
  };
  const target = (id: string, label: string, value: string, key: 'first' | 'next' | 'resolution') => (
    <label class="field">
      <span>{label}</span>
      <input id={id} type="number" min={1} max={525600} step={1} inputMode="numeric" value={value} onInput={(e) => set({ [key]: e.currentTarget.value } as Partial<Draft>)} />
    </label>
  );
  return (
    <Section title={title} id="sla-editor">
      <form class="adm-stack" id="sla-form" onSubmit={save} aria-label={title}>
        <div class="adm-grid">
          <label class="field">
            <span>{t.admSlaName}</span>
            <input id="sla-name" required maxLength={80} value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t.admSlaTeam}</span>
            <select id="sla-team" value={d.teamId} onChange={(e) => set({ teamId: (e.target as HTMLSelectElement).value })}>
              {props.teams.map((tm) => (
                <option key={tm.id} value={tm.id}>
                  {tm.name}
                </option>
              ))}
            </select>
          </label>
          {target('sla-first', t.admSlaFirst, d.first, 'first')}
          {target('sla-next', t.admSlaNext, d.next, 'next')}
          {target('sla-resolution', t.admSlaResolution, d.resolution, 'resolution')}
        </div>
        <label class="adm-check">
          <input type="checkbox" id="sla-business" checked={d.businessHours} onChange={(e) => set({ businessHours: e.currentTarget.checked })} />
          <span>{t.admSlaBusinessHours}</span>
        </label>
        <ErrorLine error={act.error} />
        <EditorButtons id="sla-save" label={t.admSlaSave} busy={act.busy} cancelLabel={t.admSlaCancel} onCancel={() => props.onDone(false)} />
      </form>
    </Section>
  );
}

/** The SLA part of Analytics: met / breached / running per policy, and its CSV. */
export function SlaReportSection(props: { api: ApiClient; from: string; to: string }) {
  const sla = new SlaApi(props.api);
  const report = useLoad(() => sla.report(props.from, props.to), [props.from, props.to]);
  const rows = report.data?.rows ?? [];
  if (!report.error && rows.length === 0) return null;
  const csv = `/api/reports/sla.csv?from=${enc(props.from)}&to=${enc(props.to)}`;
  return (
    <Section title={t.admSlaReport} intro={t.admSlaReportIntro} id="sla-report">
      <ErrorLine error={report.error} />
      <AdminTable id="sla-report-table" columns={[t.admSlaColPolicy, t.admSlaTeam, t.admConversations, t.slaTarget('first_response'), t.slaTarget('next_response'), t.slaTarget('resolution')]}>
        {rows.map((r) => (
          <tr key={r.policy.id}>
            <td>{r.policy.name}</td>
            <td>{r.team?.name ?? '—'}</td>
            <td>{r.conversations}</td>
            {[r.firstResponse, r.nextResponse, r.resolution].map((o, i) => (
              <td key={i} class="adm-nowrap">
                {t.admSlaOutcome(o.met, o.breached, o.pending)}
              </td>
            ))}
          </tr>
        ))}
      </AdminTable>
      <a class="btn btn-ghost btn-sm" href={csv} download>
        {t.admDownloadCsv}
      </a>
    </Section>
  );
}
