/**
 * What every admin list of records does alike (teams, labels, macros, proactive rules, SLA
 * policies), written once so the five behave the same: Edit and Delete at the end of each row, a
 * delete confirmed by a sentence that names what goes, one New button under the table (hidden while
 * an editor is open), and the editor below the list. When the editor closes, focus goes back to the
 * New button: a keyboard user is not dropped at the top of the page.
 */
import { useState } from 'preact/hooks';
import { t } from '../i18n.js';

export interface Editing<D> {
  /** The record's id, or null for a new one. */
  id: string | null;
  draft: D;
}

/** The open editor (or none) of a list whose New button has the id `newButtonId`. */
export function useEditing<D>(newButtonId: string): { editing: Editing<D> | null; edit: (id: string | null, draft: D) => void; close: () => void } {
  const [editing, setEditing] = useState<Editing<D> | null>(null);
  return {
    editing,
    edit: (id, draft) => setEditing({ id, draft }),
    close: () => {
      setEditing(null);
      // After the re-render that shows the New button again.
      setTimeout(() => document.getElementById(newButtonId)?.focus(), 0);
    },
  };
}

/** The Edit and Delete buttons of one row; Delete asks `confirmText` first. */
export function RowActions(props: { name: string; editLabel: string; confirmText: string; onEdit: () => void; onDelete: () => void }) {
  return (
    <td class="adm-actions">
      <button type="button" class="btn btn-secondary btn-sm" aria-label={props.editLabel} onClick={props.onEdit}>
        {t.admEdit}
      </button>
      <button
        type="button"
        class="btn btn-ghost btn-sm"
        aria-label={t.deleteNamed(props.name)}
        onClick={() => {
          if (confirm(props.confirmText)) props.onDelete();
        }}
      >
        {t.admDelete}
      </button>
    </td>
  );
}

/** The list's New button, shown when no editor is open. */
export function NewButton(props: { id: string; label: string; shown: boolean; onClick: () => void }) {
  return props.shown ? (
    <button type="button" class="btn btn-primary" id={props.id} onClick={props.onClick}>
      {props.label}
    </button>
  ) : null;
}
