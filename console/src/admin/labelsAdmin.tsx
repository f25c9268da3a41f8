/**
 * Admin › Labels (issue 20): the tenant's labels, their colour, how many macros add each; create,
 * rename, recolour and delete. Supervisors and admins (the server's rule: agents only apply them).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LabelView } from '../../../protocol/productivity.js';
import type { ApiClient } from '../api.js';
import { t } from '../i18n.js';
import { AdminTable, ErrorLine, ProblemLines, Section, useAction, useLoad, EditorButtons } from './common.js';
import { NewButton, RowActions, useEditing } from './collection.js';
import { DEFAULT_LABEL_COLOR, LABEL_NAME_MAX, labelBody, labelProblems, macrosNaming, type LabelDraft } from './macroDraft.js';
import { ProductivityAdminApi } from './productivityAdminApi.js';

/** A label as the inbox shows it: its name in a chip of its colour. */
export function LabelChip(props: { label: Pick<LabelView, 'name' | 'color'> }) {
  return (
    <span class="label-chip adm-label-chip" style={{ borderColor: props.label.color }}>
      <span class="label-dot" style={{ background: props.label.color }} aria-hidden="true" />
      {props.label.name}
    </span>
  );
}

export function LabelsAdmin(props: { api: ApiClient }) {
  const admin = new ProductivityAdminApi(props.api);
  const labels = useLoad(() => admin.labels());
  const macros = useLoad(() => admin.macros());
  const act = useAction();
  const { editing, edit, close } = useEditing<LabelDraft>('label-new');
  const macroList = macros.data?.items ?? [];
  return (
    <>
      <Section title={t.lblListTitle} intro={t.lblIntro}>
        <ErrorLine error={labels.error ?? act.error} />
        {labels.data && (
          <AdminTable id="labels-table" columns={[t.lblColName, t.lblColColor, t.lblColMacros]} actions empty={labels.data.items.length === 0 && t.lblNone}>
            {labels.data.items.map((l) => (
              <tr key={l.id}>
                <td>
                  <LabelChip label={l} />
                </td>
                <td>
                  <code class="adm-mono">{l.color}</code>
                </td>
                <td>{macros.data ? macrosNaming(macroList, l.id) : ''}</td>
                <RowActions
                  name={l.name}
                  editLabel={t.lblEdit(l.name)}
                  confirmText={t.lblDeleteConfirm(l.name, macrosNaming(macroList, l.id))}
                  onEdit={() => edit(l.id, { name: l.name, color: l.color })}
                  onDelete={() => void act.run(async () => (await admin.deleteLabel(l.id), labels.reload()))}
                />
              </tr>
            ))}
          </AdminTable>
        )}
        <NewButton id="label-new" label={t.lblNew} shown={!editing} onClick={() => edit(null, { name: '', color: DEFAULT_LABEL_COLOR })} />
      </Section>
      {editing && (
        <LabelEditor
          admin={admin}
          id={editing.id}
          initial={editing.draft}
          onDone={(changed) => {
            close();
            if (changed) labels.reload();
          }}
        />
      )}
    </>
  );
}

function LabelEditor(props: { admin: ProductivityAdminApi; id: string | null; initial: LabelDraft; onDone: (changed: boolean) => void }) {
  const [d, setD] = useState<LabelDraft>(props.initial);
  const [tried, setTried] = useState(false);
  const act = useAction();
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => nameRef.current?.focus(), []);
  const problems = tried ? labelProblems(d) : [];
  const set = (p: Partial<LabelDraft>) => setD({ ...d, ...p });
  const title = props.id ? t.lblEdit(props.initial.name) : t.lblNew;
  const colorOk = /^#[0-9a-f]{6}$/i.test(d.color.trim());
  const save = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (labelProblems(d).length) return;
    const body = labelBody(d);
    if (await act.run(() => props.admin.saveLabel(props.id, body, () => t.lblDuplicate(body.name)))) props.onDone(true);
  };
  return (
    <Section title={title} id="label-editor">
      <form class="adm-stack" id="label-form" onSubmit={save} aria-label={title} noValidate>
        <div class="adm-grid">
          <label class="field">
            <span>{t.lblName}</span>
            <input
              id="label-name"
              ref={nameRef}
              maxLength={LABEL_NAME_MAX}
              value={d.name}
              aria-invalid={tried && !d.name.trim() ? 'true' : undefined}
              onInput={(e) => set({ name: e.currentTarget.value })}
            />
          </label>
          <div class="field">
            <span id="label-color-h">{t.lblColor}</span>
            <span class="adm-color">
              <input type="color" id="label-color" aria-labelledby="label-color-h" value={colorOk ? d.color.trim().toLowerCase() : DEFAULT_LABEL_COLOR} onInput={(e) => set({ color: e.currentTarget.value })} />
              <input
                id="label-color-hex"
                class="adm-mono adm-hex"
                aria-label={t.lblColorHex}
                maxLength={7}
                spellcheck={false}
                value={d.color}
                aria-invalid={tried && !colorOk ? 'true' : undefined}
                onInput={(e) => set({ color: e.currentTarget.value })}
              />
            </span>
          </div>
          <div class="field">
            <span>{t.lblPreview}</span>
            <span class="adm-preview-chip">{d.name.trim() && colorOk ? <LabelChip label={{ name: d.name.trim(), color: d.color.trim() }} /> : '—'}</span>
          </div>
        </div>
        <ProblemLines problems={problems} />
        <ErrorLine error={act.error} />
        <EditorButtons id="label-save" label={props.id ? t.lblSave : t.lblCreate} busy={act.busy} cancelLabel={t.admCancel} onCancel={() => props.onDone(false)} />
      </form>
    </Section>
  );
}
