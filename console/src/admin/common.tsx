/** Small building blocks shared by the admin sections. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorText } from '../app.js';
import { locale, t } from '../i18n.js';

/** Loads once (and on reload()), exposing data, error and busy state. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): { data: T | null; error: string | null; reload: () => void; set: (v: T) => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    load()
      .then((d) => live && (setData(d), setError(null)))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [n, ...deps]);
  return { data, error, reload: useCallback(() => setN((x) => x + 1), []), set: setData };
}

/** Runs an action, reporting its error; returns true on success. */
export function useAction(): { busy: boolean; error: string | null; run: (fn: () => Promise<unknown>) => Promise<boolean>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

export function Section(props: { title: string; intro?: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="adm-card" aria-labelledby={props.id ? `${props.id}-h` : undefined}>
      <h2 id={props.id ? `${props.id}-h` : undefined}>{props.title}</h2>
      {props.intro && <p class="muted">{props.intro}</p>}
      {props.children}
    </section>
  );
}

/**
 * The admin table: a header row of column names (and, with `actions`, a last column whose header is
 * read out only to screen readers), then the rows; `empty` is shown as the one row when given.
 */
export function AdminTable(props: { id?: string; class?: string; columns: string[]; actions?: boolean; empty?: string | false; children: ComponentChildren }) {
  return (
    <table class={props.class ? `adm-table ${props.class}` : 'adm-table'} id={props.id}>
      <thead>
        <tr>
          {props.columns.map((c, i) => (
            <th key={i}>{c}</th>
          ))}
          {props.actions && (
            <th>
              <span class="visually-hidden">{t.admActions}</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {props.empty && (
          <tr>
            <td colSpan={props.columns.length + (props.actions ? 1 : 0)} class="muted">
              {props.empty}
            </td>
          </tr>
        )}
        {props.children}
      </tbody>
    </table>
  );
}

/** `list` with `item` added (on) or taken out (off): what a checkbox in a multi-choice list does. */
export const toggled = <T,>(list: T[], item: T, on: boolean): T[] => (on ? [...list, item] : list.filter((x) => x !== item));

/** One alert line for each problem with a form. */
export function ProblemLines(props: { problems: string[] }) {
  return (
    <>
      {props.problems.map((p) => (
        <div class="form-error" role="alert" key={p}>
          {p}
        </div>
      ))}
    </>
  );
}

/** The submit button of a settings form, with a status line that says when the settings were saved. */
export function SaveRow(props: { id: string; label: string; disabled: boolean; saved: boolean }) {
  return (
    <div class="adm-row">
      <button class="btn btn-primary" type="submit" id={props.id} disabled={props.disabled}>
        {props.label}
      </button>
      <span role="status" class="muted">
        {props.saved ? t.admSaved : ''}
      </span>
    </div>
  );
}

/** The submit and cancel buttons of an editor form (a rule, a label, a macro, a policy). */
export function EditorButtons(props: { id: string; label: string; busy: boolean; cancelLabel: string; onCancel: () => void }) {
  return (
    <div class="adm-row">
      <button class="btn btn-primary" type="submit" id={props.id} disabled={props.busy}>
        {props.label}
      </button>
      <button type="button" class="btn btn-ghost" onClick={props.onCancel}>
        {props.cancelLabel}
      </button>
    </div>
  );
}

export function ErrorLine(props: { error: string | null }) {
  return props.error ? (
    <div class="form-error" role="alert">
      {props.error}
    </div>
  ) : null;
}

/** A secret shown exactly once, with a copy button. */
export function ShownOnce(props: { label: string; value: string; note: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="adm-once" role="status">
      <strong>{props.label}</strong>
      <p class="muted">{props.note}</p>
      <code class="adm-secret" tabIndex={0}>
        {props.value}
      </code>
      <div class="adm-row">
        <button
          type="button"
          class="btn btn-secondary btn-sm"
          onClick={() =>
            navigator.clipboard
              .writeText(props.value)
              .then(() => setCopied(true))
              .catch(() => setCopied(false))
          }
        >
          {copied ? t.admCopied : t.admCopy}
        </button>
        <button type="button" class="btn btn-ghost btn-sm" onClick={props.onDone}>
          {t.admSavedIt}
        </button>
      </div>
    </div>
  );
}

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }) : '—');
