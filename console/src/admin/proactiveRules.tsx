/**
 * Admin › Proactive messages (issue 20): the rules (page name, seconds on the page, a page attribute,
 * verified only, audience) and their text, and the shown / opened / replied report shown in Analytics
 * with its CSV. Texts are rendered as text.
 */
import { useState } from 'preact/hooks';
import type { ProactiveAudience, ProactiveReport, ProactiveRuleBody, ProactiveRuleView } from '../../../protocol/proactive.js';
import { PROACTIVE_LIMITS } from '../../../protocol/proactiveLimits.js';
import type { ApiClient } from '../api.js';
import { t } from '../i18n.js';
import { AdminTable, ErrorLine, Section, useAction, useLoad, EditorButtons } from './common.js';
import { NewButton, RowActions, useEditing } from './collection.js';

const enc = encodeURIComponent;
const AUDIENCES: ProactiveAudience[] = ['everyone', 'identified', 'anonymous'];

export class ProactiveApi {
  constructor(private readonly api: ApiClient) {}
  rules = (): Promise<{ items: ProactiveRuleView[] }> => this.api.request('GET', '/api/proactive-rules');
  save = (id: string | null, body: ProactiveRuleBody): Promise<ProactiveRuleView> => this.api.request(id ? 'PUT' : 'POST', id ? `/api/proactive-rules/${enc(id)}` : '/api/proactive-rules', body);
  remove = (id: string): Promise<void> => this.api.request('DELETE', `/api/proactive-rules/${enc(id)}`);
  report = (from: string, to: string): Promise<ProactiveReport> => this.api.request('GET', `/api/reports/proactive?from=${enc(from)}&to=${enc(to)}`);
}

interface Draft {
  name: string;
  message: string;
  page: string;
  seconds: string;
  attribute: string;
  value: string;
  verifiedOnly: boolean;
  audience: ProactiveAudience;
  cooldown: string;
  enabled: boolean;
}

const draftOf = (r: ProactiveRuleView | null): Draft =>
  r
    ? { name: r.name, message: r.message, page: r.page ?? '', seconds: String(r.minSeconds), attribute: r.attribute ?? '', value: r.value ?? '', verifiedOnly: r.verifiedOnly, audience: r.audience, cooldown: String(r.cooldownHours), enabled: r.enabled }
    : { name: '', message: '', page: '', seconds: '0', attribute: '', value: '', verifiedOnly: false, audience: 'everyone', cooldown: String(PROACTIVE_LIMITS.cooldownHours.default), enabled: true };

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

export function bodyOf(d: Draft): ProactiveRuleBody {
  const attribute = orNull(d.attribute);
  return {
    name: d.name.trim(),
    message: d.message.trim(),
    page: orNull(d.page),
    minSeconds: Number(d.seconds || 0),
    attribute,
    value: attribute === null ? null : orNull(d.value),
    verifiedOnly: d.verifiedOnly,
    audience: d.audience,
    cooldownHours: Number(d.cooldown || PROACTIVE_LIMITS.cooldownHours.default),
    enabled: d.enabled,
  };
}

export function ProactiveRules(props: { api: ApiClient }) {
  const pro = new ProactiveApi(props.api);
  const rules = useLoad(() => pro.rules());
  const act = useAction();
  const { editing, edit, close } = useEditing<Draft>('proactive-new');
  return (
    <>
      <Section title={t.admProRules} intro={t.admProIntro}>
        <ErrorLine error={rules.error ?? act.error} />
        {rules.data && (
          <AdminTable id="proactive-table" columns={[t.admProName, t.admProMessage, t.admProWhen, t.admProAudience, t.admProStatus]} actions empty={rules.data.items.length === 0 && t.admProNone}>
            {rules.data.items.map((r) => (
              <tr key={r.id} class={r.enabled ? '' : 'adm-dim'}>
                <td>
                  <strong>{r.name}</strong>
                </td>
                <td class="adm-pro-text">{r.message}</td>
                <td>{t.admProWhenText(r.page, r.minSeconds, r.attribute, r.value, r.verifiedOnly)}</td>
                <td>{t.admProAudienceOf(r.audience)}</td>
                <td>{r.enabled ? <span class="adm-pill adm-ok">{t.admProOn}</span> : <span class="adm-pill">{t.admProOff}</span>}</td>
                <RowActions
                  name={r.name}
                  editLabel={t.admProEdit(r.name)}
                  confirmText={t.admProDeleteConfirm(r.name)}
                  onEdit={() => edit(r.id, draftOf(r))}
                  onDelete={() => void act.run(async () => (await pro.remove(r.id), rules.reload()))}
                />
              </tr>
            ))}
          </AdminTable>
        )}
        <NewButton id="proactive-new" label={t.admProNew} shown={!editing} onClick={() => edit(null, draftOf(null))} />
      </Section>
      {editing && (
        <ProactiveEditor
          pro={pro}
          id={editing.id}
          initial={editing.draft}
          onDone={(changed) => {
            close();
            if (changed) rules.reload();
          }}
        />
      )}
    </>
  );
}

function ProactiveEditor(props: { pro: ProactiveApi; id: string | null; initial: Draft; onDone: (changed: boolean) => void }) {
  const [d, setD] = useState<Draft>(props.initial);
  const act = useAction();
  const set = (p: Partial<Draft>) => setD({ ...d, ...p });
  const title = props.id ? t.admProEdit(props.initial.name) : t.admProNew;
  const save = async (e: Event) => {
    e.preventDefault();
    if (await act.run(() => props.pro.save(props.id, bodyOf(d)))) props.onDone(true);
  };
  const text = (id: string, label: string, key: 'name' | 'page' | 'attribute' | 'value', max: number) => (
    <label class="field">
      <span>{label}</span>
      <input id={id} maxLength={max} value={d[key]} required={key === 'name'} onInput={(e) => set({ [key]: e.currentTarget.value } as Partial<Draft>)} />
    </label>
  );
  return (
    <Section title={title} id="proactive-editor">
      <form class="adm-stack" id="proactive-form" onSubmit={save} aria-label={title}>
        <div class="adm-grid">
          {text('pro-name', t.admProName, 'name', 80)}
          <label class="field adm-wide">
            <span>{t.admProMessage}</span>
            <textarea id="pro-message" required rows={2} maxLength={PROACTIVE_LIMITS.text} value={d.message} aria-describedby="pro-message-left" onInput={(e) => set({ message: e.currentTarget.value })} />
            <span class="muted adm-small" id="pro-message-left">
              {t.admProLeft(PROACTIVE_LIMITS.text - d.message.length)}
            </span>
          </label>
          {text('pro-page', t.admProPage, 'page', 100)}
          <label class="field">
            <span>{t.admProSeconds}</span>
            <input id="pro-seconds" type="number" min={0} max={PROACTIVE_LIMITS.maxSeconds} step={1} inputMode="numeric" value={d.seconds} onInput={(e) => set({ seconds: e.currentTarget.value })} />
          </label>
          {text('pro-attribute', t.admProAttribute, 'attribute', 40)}
          {text('pro-value', t.admProValue, 'value', 200)}
          <label class="field">
            <span>{t.admProAudience}</span>
            <select id="pro-audience" value={d.audience} onChange={(e) => set({ audience: (e.target as HTMLSelectElement).value as ProactiveAudience })}>
              {AUDIENCES.map((a) => (
                <option key={a} value={a}>
                  {t.admProAudienceOf(a)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t.admProCooldown}</span>
            <input
              id="pro-cooldown"
              type="number"
              min={PROACTIVE_LIMITS.cooldownHours.min}
              max={PROACTIVE_LIMITS.cooldownHours.max}
              step={1}
              inputMode="numeric"
              value={d.cooldown}
              onInput={(e) => set({ cooldown: e.currentTarget.value })}
            />
          </label>
        </div>
        <label class="adm-check">
          <input type="checkbox" id="pro-verified" checked={d.verifiedOnly} onChange={(e) => set({ verifiedOnly: e.currentTarget.checked })} />
          <span>{t.admProVerifiedOnly}</span>
        </label>
        <label class="adm-check">
          <input type="checkbox" id="pro-enabled" checked={d.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />
          <span>{t.admProEnabled}</span>
        </label>
        <ErrorLine error={act.error} />
        <EditorButtons id="pro-save" label={t.admProSave} busy={act.busy} cancelLabel={t.admProCancel} onCancel={() => props.onDone(false)} />
      </form>
    </Section>
  );
}

const share = (n: number, of: number) => (of ? `${n} (${Math.round((n / of) * 100)} %)` : String(n));

/** The proactive part of Analytics: shown / opened / replied per rule, and its CSV. */
export function ProactiveReportSection(props: { api: ApiClient; from: string; to: string }) {
  const pro = new ProactiveApi(props.api);
  const report = useLoad(() => pro.report(props.from, props.to), [props.from, props.to]);
  const rows = report.data?.rows ?? [];
  if (!report.error && rows.length === 0) return null;
  const csv = `/api/reports/proactive.csv?from=${enc(props.from)}&to=${enc(props.to)}`;
  return (
    <Section title={t.admProReport} intro={t.admProReportIntro} id="proactive-report">
      <ErrorLine error={report.error} />
      <AdminTable class="adm-num" id="proactive-report-table" columns={[t.admProColRule, t.admProShown, t.admProOpened, t.admProReplied]}>
        {rows.map((r) => (
          <tr key={r.rule.id}>
            <td>{r.rule.name}</td>
            <td>{r.shown}</td>
            <td>{share(r.opened, r.shown)}</td>
            <td>{share(r.replied, r.shown)}</td>
          </tr>
        ))}
      </AdminTable>
      <a class="btn btn-ghost btn-sm" href={csv} download>
        {t.admDownloadCsv}
      </a>
    </Section>
  );
}
