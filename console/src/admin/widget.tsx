/** Widget settings with a live preview, allowed origins, and the embed snippet with its integrity hash. */
import { useEffect, useState } from 'preact/hooks';
import type { PrechatField, TenantSettings } from '../../../protocol/admin.js';
import type { EmbedSnippet } from '../../../protocol/http.js';
import type { ApiClient } from '../api.js';
import { errorText } from '../app.js';
import type { AdminApi } from './adminApi.js';
import { ErrorLine, Section, useAction, useLoad } from './common.js';

const FIELDS: Array<{ field: PrechatField['field']; label: string }> = [
  { field: 'name', label: 'Name' },
  { field: 'email', label: 'Email' },
  { field: 'phone', label: 'Phone' },
  { field: 'orderNumber', label: 'Order number' },
];

/** Same rule as the server: http(s), host, optional port, nothing else. Returns an error or null. */
export function originProblem(o: string): string | null {
  try {
    const u = new URL(o);
    if (!/^https?:$/.test(u.protocol)) return `${o}: use https://`;
    if (o.includes('*') || u.username || u.pathname !== '/' || u.search || u.hash || /[?#]/.test(o)) return `${o}: only scheme://host[:port], like ${u.origin}`;
    return null;
  } catch {
    return `${o}: not an origin like https://shop.example`;
  }
}

export function WidgetSettings(props: { admin: AdminApi }) {
  const loaded = useLoad(() => props.admin.settings());
  const [draft, setDraft] = useState<TenantSettings | null>(null);
  const [origins, setOrigins] = useState('');
  const [saved, setSaved] = useState(false);
  const act = useAction();
  useEffect(() => {
    if (loaded.data) {
      setDraft(loaded.data);
      setOrigins(loaded.data.allowedOrigins.join('\n'));
    }
  }, [loaded.data]);
  if (!draft) return <ErrorLine error={loaded.error} />;
  const set = (p: Partial<TenantSettings>) => {
    setSaved(false);
    setDraft({ ...draft, ...p });
  };
  const originList = origins.split(/\s+/).filter(Boolean);
  const problems = originList.map(originProblem).filter((x): x is string => !!x);
  const fieldOn = (f: PrechatField['field']) => draft.prechatFields.find((x) => x.field === f);
  const toggleField = (f: PrechatField['field'], on: boolean) =>
    set({ prechatFields: on ? [...draft.prechatFields, { field: f, required: false }] : draft.prechatFields.filter((x) => x.field !== f) });
  const save = async (e: Event) => {
    e.preventDefault();
    if (problems.length) return;
    const ok = await act.run(async () => {
      const r = await props.admin.updateSettings({
        name: draft.name,
        brandColor: draft.brandColor,
        position: draft.position,
        greeting: draft.greeting,
        language: draft.language,
        prechatFields: draft.prechatFields,
        allowedOrigins: originList,
      });
      setDraft(r);
      setOrigins(r.allowedOrigins.join('\n'));
    });
    setSaved(ok);
  };
  return (
    <form class="adm-split" onSubmit={save}>
      <div>
        <Section title="Appearance">
          <div class="adm-grid">
            <label class="field">
              <span>Name shown to visitors</span>
              <input id="w-name" value={draft.name} maxLength={100} onInput={(e) => set({ name: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>Brand colour</span>
              <span class="adm-color">
                <input id="w-color" type="color" value={draft.brandColor} onInput={(e) => set({ brandColor: e.currentTarget.value })} />
                <code>{draft.brandColor}</code>
              </span>
            </label>
            <fieldset class="field">
              <legend>Position</legend>
              {(['right', 'left'] as const).map((p) => (
                <label class="adm-check" key={p}>
                  <input type="radio" name="position" value={p} checked={draft.position === p} onChange={() => set({ position: p })} /> Bottom {p}
                </label>
              ))}
            </fieldset>
            <label class="field">
              <span>Language</span>
              <select id="w-lang" value={draft.language} onChange={(e) => set({ language: (e.target as HTMLSelectElement).value as TenantSettings['language'] })}>
                <option value="auto">Visitor's browser</option>
                <option value="en">English</option>
                <option value="fr">Français</option>
              </select>
            </label>
          </div>
          <label class="field">
            <span>Greeting</span>
            <textarea id="w-greeting" rows={2} maxLength={300} value={draft.greeting} onInput={(e) => set({ greeting: e.currentTarget.value })} />
          </label>
        </Section>
        <Section title="Pre-chat form" intro="What a visitor is asked before the chat starts.">
          <table class="adm-table">
            <tbody>
              {FIELDS.map(({ field, label }) => {
                const on = fieldOn(field);
                return (
                  <tr key={field}>
                    <td>
                      <label class="adm-check">
                        <input type="checkbox" checked={!!on} onChange={(e) => toggleField(field, e.currentTarget.checked)} /> {label}
                      </label>
                    </td>
                    <td>
                      <label class="adm-check">
                        <input
                          type="checkbox"
                          disabled={!on}
                          checked={!!on?.required}
                          onChange={(e) => set({ prechatFields: draft.prechatFields.map((x) => (x.field === field ? { ...x, required: e.currentTarget.checked } : x)) })}
                        />{' '}
                        Required
                      </label>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Section>
        <Section title="Allowed origins" intro="Sites allowed to show the widget, one per line: scheme, host and port only (https://shop.example). The frame refuses to load anywhere else.">
          <textarea id="w-origins" class="adm-mono" rows={4} value={origins} onInput={(e) => (setSaved(false), setOrigins(e.currentTarget.value))} aria-invalid={problems.length ? 'true' : undefined} />
          {problems.map((p) => (
            <div class="form-error" role="alert" key={p}>
              {p}
            </div>
          ))}
        </Section>
        <ErrorLine error={act.error} />
        <div class="adm-row">
          <button class="btn btn-primary" type="submit" id="w-save" disabled={act.busy || problems.length > 0}>
            Save widget settings
          </button>
          <span role="status" class="muted">
            {saved ? 'Saved.' : ''}
          </span>
        </div>
      </div>
      <WidgetPreview settings={draft} />
    </form>
  );
}

/** What a visitor sees, drawn with the draft settings (styles set through the DOM, allowed by the CSP). */
function WidgetPreview(props: { settings: TenantSettings }) {
  const s = props.settings;
  const side = s.position === 'left' ? 'adm-pv-left' : 'adm-pv-right';
  const fr = s.language === 'fr';
  return (
    <aside class="adm-preview" aria-label="Live preview of the widget">
      <div class="adm-pv-page">
        <div class={`adm-pv-window ${side}`} id="widget-preview">
          <div class="adm-pv-head" style={{ background: s.brandColor }}>
            {s.name}
          </div>
          <div class="adm-pv-body">
            <p class="adm-pv-greeting">{s.greeting}</p>
            {s.prechatFields.map((f) => (
              <div class="adm-pv-field" key={f.field}>
                {FIELDS.find((x) => x.field === f.field)?.label}
                {f.required ? ' *' : ''}
              </div>
            ))}
            <div class="adm-pv-button" style={{ background: s.brandColor }}>
              {fr ? 'Démarrer la discussion' : 'Start chat'}
            </div>
          </div>
        </div>
        <div class={`adm-pv-launcher ${side}`} style={{ background: s.brandColor }} aria-hidden="true">
          <svg viewBox="0 0 24 24" width="26" height="26" fill="#fff">
            <path d="M4 4h16v12H7l-3 3z" />
          </svg>
        </div>
      </div>
      <p class="muted adm-pv-note">Preview — {s.position === 'left' ? 'bottom left' : 'bottom right'}, {s.language === 'auto' ? "visitor's language" : s.language}</p>
    </aside>
  );
}

export function EmbedSection(props: { api: ApiClient }) {
  const [snippet, setSnippet] = useState<EmbedSnippet | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    props.api.embedSnippet().then(setSnippet, (e: unknown) => setError(errorText(e)));
  }, []);
  return (
    <Section title="Embed the widget" intro="Paste this before </body> on every page of an allowed origin. The integrity attribute pins the exact loader file: a changed loader will not run.">
      <ErrorLine error={error} />
      {snippet && (
        <>
          <pre class="snippet" id="embed-snippet" tabIndex={0}>
            <code>{snippet.snippet}</code>
          </pre>
          <dl class="adm-dl">
            <dt>Loader URL</dt>
            <dd>
              <code>{snippet.loaderUrl}</code>
            </dd>
            <dt>Integrity (SHA-384)</dt>
            <dd>
              <code id="embed-integrity">{snippet.integrity}</code>
            </dd>
          </dl>
          <button type="button" class="btn btn-secondary" onClick={() => void navigator.clipboard.writeText(snippet.snippet).catch(() => undefined)}>
            Copy snippet
          </button>
        </>
      )}
    </Section>
  );
}
