/** Widget settings with a live preview, allowed origins, and the embed snippet with its integrity hash. */
import { useEffect, useState } from 'preact/hooks';
import type { PrechatField, TenantSettings } from '../../../protocol/admin.js';
import type { EmbedSnippet } from '../../../protocol/http.js';
import type { ApiClient } from '../api.js';
import { errorText } from '../app.js';
import type { AdminApi } from './adminApi.js';
import { ErrorLine, ProblemLines, SaveRow, Section, useAction, useLoad } from './common.js';
import { lang, t } from '../i18n.js';
import { CspPanel } from '../security.js';
// The preview speaks the widget's language, with the widget's own words.
import { DICTIONARIES, greetingIn } from '../../../widget/frame/src/i18n.js';

const FIELDS: Array<{ field: PrechatField['field']; label: () => string }> = [
  { field: 'name', label: () => t.admColName },
  { field: 'email', label: () => t.admColEmail },
  { field: 'phone', label: () => t.admFieldPhone },
  { field: 'orderNumber', label: () => t.admFieldOrder },
];

/** Same rule as the server: http(s), host, optional port, nothing else. Returns an error or null. */
export function originProblem(o: string): string | null {
  try {
    const u = new URL(o);
    if (!/^https?:$/.test(u.protocol)) return t.admOriginScheme(o);
    if (o.includes('*') || u.username || u.pathname !== '/' || u.search || u.hash || /[?#]/.test(o)) return t.admOriginOnly(o, u.origin);
    return null;
  } catch {
    return t.admOriginBad(o);
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
        // Both languages, an empty one removing that language's greeting.
        greetings: { en: draft.greetings.en ?? '', fr: draft.greetings.fr ?? '' },
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
        <Section title={t.admAppearance}>
          <div class="adm-grid">
            <label class="field">
              <span>{t.admWidgetName}</span>
              <input id="w-name" value={draft.name} maxLength={100} onInput={(e) => set({ name: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>{t.admBrandColour}</span>
              <span class="adm-color">
                <input id="w-color" type="color" value={draft.brandColor} onInput={(e) => set({ brandColor: e.currentTarget.value })} />
                <code>{draft.brandColor}</code>
              </span>
            </label>
            <fieldset class="field adm-radio-field">
              <legend>{t.admPosition}</legend>
              <div class="adm-radios">
              {(['right', 'left'] as const).map((p) => (
                <label class="adm-check" key={p}>
                  <input type="radio" name="position" value={p} checked={draft.position === p} onChange={() => set({ position: p })} /> {p === 'left' ? t.admSideLeft : t.admSideRight}
                </label>
              ))}
              </div>
            </fieldset>
            <label class="field">
              <span>{t.admLanguage}</span>
              <select id="w-lang" value={draft.language} onChange={(e) => set({ language: (e.target as HTMLSelectElement).value as TenantSettings['language'] })}>
                <option value="auto">{t.admLangAuto}</option>
                <option value="en">English</option>
                <option value="fr">Français</option>
              </select>
            </label>
          </div>
          <label class="field">
            <span>{t.admGreeting}</span>
            <textarea id="w-greeting" rows={2} maxLength={300} value={draft.greeting} onInput={(e) => set({ greeting: e.currentTarget.value })} />
          </label>
          <div class="adm-grid">
            {(['en', 'fr'] as const).map((l) => (
              <label class="field" key={l}>
                <span>{l === 'en' ? t.admGreetingEn : t.admGreetingFr}</span>
                <textarea
                  id={`w-greeting-${l}`}
                  rows={2}
                  maxLength={300}
                  lang={l}
                  value={draft.greetings[l] ?? ''}
                  aria-describedby="w-greetings-hint"
                  onInput={(e) => set({ greetings: { ...draft.greetings, [l]: e.currentTarget.value } })}
                />
              </label>
            ))}
          </div>
          <p class="muted" id="w-greetings-hint">
            {t.admGreetingsHint}
          </p>
        </Section>
        <Section title={t.admPrechat} intro={t.admPrechatIntro}>
          <table class="adm-table">
            <tbody>
              {FIELDS.map(({ field, label }) => {
                const on = fieldOn(field);
                const text = label();
                return (
                  <tr key={field}>
                    <td>
                      <label class="adm-check">
                        <input type="checkbox" checked={!!on} onChange={(e) => toggleField(field, e.currentTarget.checked)} /> {text}
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
                        {t.admRequired}
                      </label>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Section>
        <Section title={t.admColOrigins} intro={t.admOriginsIntro}>
          <label class="visually-hidden" for="w-origins">
            {t.admColOrigins}
          </label>
          <textarea id="w-origins" class="adm-mono" rows={4} value={origins} onInput={(e) => (setSaved(false), setOrigins(e.currentTarget.value))} aria-invalid={problems.length ? 'true' : undefined} />
          <ProblemLines problems={problems} />
        </Section>
        <ErrorLine error={act.error} />
        <SaveRow id="w-save" label={t.admWidgetSave} disabled={act.busy || problems.length > 0} saved={saved} />
      </div>
      <WidgetPreview settings={draft} />
    </form>
  );
}

/** What a visitor sees, drawn with the draft settings (styles set through the DOM, allowed by the CSP). */
function WidgetPreview(props: { settings: TenantSettings }) {
  const s = props.settings;
  const side = s.position === 'left' ? 'adm-pv-left' : 'adm-pv-right';
  const fr = s.language === 'fr' || (s.language === 'auto' && lang === 'fr');
  return (
    <aside class="adm-preview" aria-label={t.admPreviewLabel}>
      <div class="adm-pv-page">
        <div class={`adm-pv-window ${side}`} id="widget-preview">
          <div class="adm-pv-head" style={{ background: s.brandColor }}>
            {s.name}
          </div>
          <div class="adm-pv-body">
            <p class="adm-pv-greeting">{greetingIn(s, fr ? 'fr' : 'en')}</p>
            {s.prechatFields.map((f) => (
              <div class="adm-pv-field" key={f.field}>
                {FIELDS.find((x) => x.field === f.field)?.label()}
                {f.required ? ' *' : ''}
              </div>
            ))}
            <div class="adm-pv-button" style={{ background: s.brandColor }}>
              {DICTIONARIES[fr ? 'fr' : 'en'].startChat}
            </div>
          </div>
        </div>
        <div class={`adm-pv-launcher ${side}`} style={{ background: s.brandColor }} aria-hidden="true">
          <svg viewBox="0 0 24 24" width="26" height="26" fill="#fff">
            <path d="M4 4h16v12H7l-3 3z" />
          </svg>
        </div>
      </div>
      <p class="muted adm-pv-note">{t.admPreviewNote(s.position === 'left' ? t.admBottomLeft : t.admBottomRight, s.language === 'auto' ? t.admLangAuto : s.language === 'fr' ? 'Français' : 'English')}</p>
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
    <Section title={t.admEmbedTitle} intro={t.admEmbedIntro}>
      <ErrorLine error={error} />
      {snippet && (
        <>
          <pre class="snippet" id="embed-snippet" tabIndex={0}>
            <code>{snippet.snippet}</code>
          </pre>
          <dl class="adm-dl">
            <dt>{t.admLoaderUrl}</dt>
            <dd>
              <code>{snippet.loaderUrl}</code>
            </dd>
            <dt>{t.admIntegrity}</dt>
            <dd>
              <code id="embed-integrity">{snippet.integrity}</code>
            </dd>
          </dl>
          <button type="button" class="btn btn-secondary" onClick={() => void navigator.clipboard.writeText(snippet.snippet).catch(() => undefined)}>
            {t.admCopySnippet}
          </button>
          <p class="muted">
            {t.evidenceHelp}{' '}
            <a href="/api/admin/evidence" download="parley-pci-evidence.json">
              {t.evidenceDownload}
            </a>
          </p>
        </>
      )}
      {/* With the snippet, the policy for the pages it goes on, and what those pages reported. */}
      <CspPanel api={props.api} />
    </Section>
  );
}
