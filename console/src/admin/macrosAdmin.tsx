/**
 * Admin › Macros (issue 20): the tenant's macros and what each does; create, edit and delete them.
 * A macro is a saved sequence (reply text, labels, priority, assignee, status) that any agent applies
 * from a conversation in one transaction. Supervisors and admins edit (the server's rule).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentPresenceView } from '../../../protocol/contactCentre.js';
import { PRIORITIES, type LabelView, type Priority } from '../../../protocol/productivity.js';
import type { ApiClient } from '../api.js';
import { t } from '../i18n.js';
import { AdminTable, ErrorLine, ProblemLines, Section, toggled, useAction, useLoad, EditorButtons } from './common.js';
import { NewButton, RowActions, useEditing } from './collection.js';
import { LabelChip } from './labelsAdmin.js';
import { MACRO_NAME_MAX, emptyMacroDraft, macroBody, macroDraftFrom, macroProblems, stepLines, type MacroDraft } from './macroDraft.js';
import { ProductivityAdminApi } from './productivityAdminApi.js';

const priorityText = (p: Priority) => ({ low: t.priorityLow, normal: t.priorityNormal, high: t.priorityHigh, urgent: t.priorityUrgent })[p];

export function MacrosAdmin(props: { api: ApiClient }) {
  const admin = new ProductivityAdminApi(props.api);
  const macros = useLoad(() => admin.macros());
  const labels = useLoad(() => admin.labels());
  const agents = useLoad(() => admin.agents());
  const act = useAction();
  const { editing, edit, close } = useEditing<MacroDraft>('macro-new');
  const labelList = labels.data?.items ?? [];
  const agentList = agents.data?.items ?? [];
  return (
    <>
      <Section title={t.macListTitle} intro={t.macIntro}>
        <ErrorLine error={macros.error ?? labels.error ?? agents.error ?? act.error} />
        {macros.data && labels.data && (agents.data || agents.error) && (
          <AdminTable id="macros-table" columns={[t.macColName, t.macColSteps]} actions empty={macros.data.items.length === 0 && t.macNone}>
            {macros.data.items.map((m) => (
              <tr key={m.id}>
                <td class="adm-nowrap">
                  <strong>{m.name}</strong>
                </td>
                <td class="adm-wrap">
                  <ul class="adm-steps">
                    {stepLines(m, labelList, agentList, priorityText).map((s, i) => (
                      <li key={i} class={s.broken ? 'adm-step-broken' : undefined}>
                        {s.text}
                      </li>
                    ))}
                  </ul>
                </td>
                <RowActions
                  name={m.name}
                  editLabel={t.macEdit(m.name)}
                  confirmText={t.macDeleteConfirm(m.name)}
                  onEdit={() => edit(m.id, macroDraftFrom(m))}
                  onDelete={() => void act.run(async () => (await admin.deleteMacro(m.id), macros.reload()))}
                />
              </tr>
            ))}
          </AdminTable>
        )}
        <NewButton id="macro-new" label={t.macNew} shown={!editing} onClick={() => edit(null, emptyMacroDraft())} />
      </Section>
      {editing && (
        <MacroEditor
          admin={admin}
          id={editing.id}
          initial={editing.draft}
          labels={labelList}
          agents={agentList}
          onDone={(changed) => {
            close();
            if (changed) macros.reload();
          }}
        />
      )}
    </>
  );
}

function MacroEditor(props: { admin: ProductivityAdminApi; id: string | null; initial: MacroDraft; labels: LabelView[]; agents: AgentPresenceView[]; onDone: (changed: boolean) => void }) {
  // Labels and agents deleted since the macro was saved are dropped: saving it repairs it. (No agent
  // listed means the list did not load, the signed-in one being an agent: nothing is dropped then.)
  const [d, setD] = useState<MacroDraft>(() => ({
    ...props.initial,
    labelIds: props.initial.labelIds.filter((id) => props.labels.some((l) => l.id === id)),
    assign: props.initial.assign.startsWith('agent:') && props.agents.length > 0 && !props.agents.some((a) => `agent:${a.id}` === props.initial.assign) ? '' : props.initial.assign,
  }));
  const [tried, setTried] = useState(false);
  const act = useAction();
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => nameRef.current?.focus(), []);
  const set = (p: Partial<MacroDraft>) => setD({ ...d, ...p });
  const problems = tried ? macroProblems(d) : [];
  const title = props.id ? t.macEdit(props.initial.name) : t.macNew;
  const save = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (macroProblems(d).length) return;
    const body = macroBody(d);
    if (await act.run(() => props.admin.saveMacro(props.id, body, () => t.macDuplicate(body.name)))) props.onDone(true);
  };
  const select = <K extends 'assign' | 'priority' | 'status'>(key: K, label: string, options: Array<[string, string]>) => (
    <label class="field">
      <span>{label}</span>
      <select id={`macro-${key}`} value={d[key]} onChange={(e) => set({ [key]: (e.target as HTMLSelectElement).value } as Partial<MacroDraft>)}>
        <option value="">{t.macNoChange}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <Section title={title} id="macro-editor">
      <form class="adm-stack" id="macro-form" onSubmit={save} aria-label={title} noValidate>
        <label class="field adm-narrow-field">
          <span>{t.macName}</span>
          <input id="macro-name" ref={nameRef} maxLength={MACRO_NAME_MAX} value={d.name} aria-invalid={tried && !d.name.trim() ? 'true' : undefined} onInput={(e) => set({ name: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span>{t.macReply}</span>
          <textarea id="macro-reply" rows={4} value={d.reply} aria-describedby="macro-reply-hint" onInput={(e) => set({ reply: e.currentTarget.value })} />
          <span class="muted adm-small" id="macro-reply-hint">
            {t.macReplyHint}
          </span>
        </label>
        <fieldset>
          <legend>{t.macLabels}</legend>
          {props.labels.length === 0 ? (
            <p class="muted adm-small">{t.macNoLabels}</p>
          ) : (
            <div class="adm-label-picks" id="macro-labels">
              {props.labels.map((l) => (
                <label class="adm-check" key={l.id}>
                  <input type="checkbox" checked={d.labelIds.includes(l.id)} onChange={(e) => set({ labelIds: toggled(d.labelIds, l.id, e.currentTarget.checked) })} />
                  <LabelChip label={l} />
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <div class="adm-grid">
          {select('assign', t.macAssign, [
            ['me', t.macAssignMe],
            ['nobody', t.macUnassign],
            ...props.agents.map((a): [string, string] => [`agent:${a.id}`, props.agents.filter((x) => x.name === a.name).length > 1 ? `${a.name} (${a.email})` : a.name]),
          ])}
          {select('priority', t.macPriority, PRIORITIES.map((p): [string, string] => [p, priorityText(p)]))}
          {select('status', t.macStatus, [
            ['open', t.macStatusOpen],
            ['resolved', t.macStatusResolved],
          ])}
        </div>
        <ProblemLines problems={problems} />
        <ErrorLine error={act.error} />
        <EditorButtons id="macro-save" label={props.id ? t.macSave : t.macCreate} busy={act.busy} cancelLabel={t.admCancel} onCancel={() => props.onDone(false)} />
      </form>
    </Section>
  );
}
