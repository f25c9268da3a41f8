/**
 * Privacy: retention days and the tenant's redaction patterns (GET|PUT /api/admin/privacy), with the
 * server's validation errors shown next to the pattern they name; and the exposure report
 * (GET /api/admin/exposure) with filters, a results table and a CSV download link.
 */
import { useEffect, useState } from 'preact/hooks';
import { redact } from '../../../protocol/redaction.js';
import { ApiError } from '../api.js';
import { t } from '../i18n.js';
import { exposureQuery, type AdminApi, type ExposureQuery, type ExposureReport } from './adminApi.js';
import { AdminTable, ErrorLine, SaveRow, Section, useAction, useLoad, when } from './common.js';

/** Mirrors server/security/redactionPatterns.ts (MAX_PATTERNS, MAX_PATTERN_CHARS). */
export const MAX_PATTERNS = 20;
export const MAX_PATTERN_CHARS = 200;

/** A quick local check; the server applies the full one (backtracking shapes, a timing probe). */
export function localPatternProblem(source: string): string | null {
  if (source.length > MAX_PATTERN_CHARS) return t.admPatternTooLong(MAX_PATTERN_CHARS);
  try {
    new RegExp(source, 'giu');
    return null;
  } catch {
    return t.admPatternInvalid;
  }
}

/** "pattern 2 uses a backreference" → index 1 (the server names patterns from 1). */
export function patternIndexOf(message: string): number | null {
  const m = /\bpattern (\d+)\b/i.exec(message) ?? /redactionPatterns\/(\d+)/.exec(message);
  if (!m) return null;
  return /redactionPatterns\//.test(m[0]) ? Number(m[1]) : Number(m[1]) - 1;
}

function compiled(patterns: string[]): RegExp[] {
  const out: RegExp[] = [];
  for (const p of patterns) {
    if (!p || localPatternProblem(p)) continue;
    out.push(new RegExp(p, 'giu'));
  }
  return out;
}

export function Privacy(props: { admin: AdminApi }) {
  const { admin } = props;
  const loaded = useLoad(() => admin.privacy());
  const [days, setDays] = useState('');
  const [patterns, setPatterns] = useState<string[]>([]);
  const [sample, setSample] = useState('');
  const [saved, setSaved] = useState(false);
  const [serverError, setServerError] = useState<{ text: string; index: number | null } | null>(null);
  const act = useAction();
  useEffect(() => {
    if (loaded.data) {
      setDays(String(loaded.data.retentionDays));
      setPatterns(loaded.data.redactionPatterns);
    }
  }, [loaded.data]);
  if (!loaded.data) return <ErrorLine error={loaded.error} />;
  const daysOk = /^\d+$/.test(days) && Number(days) >= 1 && Number(days) <= 3650;
  const local = patterns.map((p) => (p ? localPatternProblem(p) : null));
  const blocked = !daysOk || local.some(Boolean) || patterns.length > MAX_PATTERNS;
  const changed = () => (setSaved(false), setServerError(null));
  const save = async (e: Event) => {
    e.preventDefault();
    if (blocked) return;
    setServerError(null);
    try {
      const r = await admin.savePrivacy({ retentionDays: Number(days), redactionPatterns: patterns.filter((p) => p !== '') });
      setDays(String(r.retentionDays));
      setPatterns(r.redactionPatterns);
      setSaved(true);
    } catch (err) {
      const text = err instanceof ApiError ? err.message : String(err);
      setServerError({ text, index: patternIndexOf(text) });
      setSaved(false);
    }
  };
  const preview = sample ? redact(sample, compiled(patterns)).text : '';
  return (
    <form onSubmit={save} noValidate>
      <Section title={t.admRetention} intro={t.admRetentionIntro}>
        <label class="field adm-narrow">
          <span>{t.admRetentionDays}</span>
          <input
            id="privacy-days"
            type="number"
            min={1}
            max={3650}
            value={days}
            aria-invalid={daysOk ? undefined : 'true'}
            aria-describedby={daysOk ? undefined : 'privacy-days-error'}
            onInput={(e) => (changed(), setDays(e.currentTarget.value))}
          />
        </label>
        {!daysOk && (
          <div class="form-error" id="privacy-days-error" role="alert">
            {t.admRetentionBad}
          </div>
        )}
      </Section>
      <Section title={t.admPatterns} intro={t.admPatternsIntro}>
        <ol class="adm-patterns" id="privacy-patterns">
          {patterns.map((p, i) => {
            const problem = local[i] ?? (serverError?.index === i ? serverError.text : null);
            return (
              <li key={i}>
                <div class="adm-row">
                  <input
                    class="adm-mono adm-grow"
                    id={`pattern-${i}`}
                    aria-label={t.admPattern(i + 1)}
                    value={p}
                    maxLength={MAX_PATTERN_CHARS + 50}
                    spellcheck={false}
                    aria-invalid={problem ? 'true' : undefined}
                    aria-describedby={problem ? `pattern-${i}-error` : undefined}
                    onInput={(e) => (changed(), setPatterns(patterns.map((x, j) => (j === i ? e.currentTarget.value : x))))}
                  />
                  <button type="button" class="btn btn-ghost btn-sm" aria-label={t.admPatternRemove(i + 1)} onClick={() => (changed(), setPatterns(patterns.filter((_, j) => j !== i)))}>
                    {t.admRemove}
                  </button>
                </div>
                {problem && (
                  <div class="form-error" id={`pattern-${i}-error`} role="alert">
                    {problem}
                  </div>
                )}
              </li>
            );
          })}
        </ol>
        {patterns.length >= MAX_PATTERNS ? (
          <p class="muted">{t.admPatternsTooMany(MAX_PATTERNS)}</p>
        ) : (
          <button type="button" class="btn btn-secondary btn-sm" id="pattern-add" onClick={() => (changed(), setPatterns([...patterns, '']))}>
            {t.admPatternAdd}
          </button>
        )}
        <label class="field adm-try">
          <span>{t.admPatternTest}</span>
          <input id="pattern-sample" placeholder={t.admPatternTestPlaceholder} value={sample} onInput={(e) => setSample(e.currentTarget.value)} />
        </label>
        {sample && (
          <p class="adm-small">
            {t.admPatternResult}: <code id="pattern-preview">{preview}</code>
          </p>
        )}
      </Section>
      {serverError && (
        <div class="form-error adm-server-error" role="alert" id="privacy-error">
          <strong>{t.admServerRefused}</strong> {serverError.text}
        </div>
      )}
      <ErrorLine error={act.error} />
      <SaveRow id="privacy-save" label={t.admPrivacySave} disabled={blocked} saved={saved} />
    </form>
  );
}

/** datetime-local value → ISO (the server parses ISO or epoch ms). */
const iso = (local: string) => (local ? new Date(local).toISOString() : '');

export function Exposure(props: { admin: AdminApi }) {
  const [form, setForm] = useState({ credential: '', address: '', from: '', to: '' });
  const [query, setQuery] = useState<ExposureQuery | null>(null);
  const [report, setReport] = useState<ExposureReport | null>(null);
  const [needOne, setNeedOne] = useState(false);
  // Who: picked from the tenant's agents and API keys by name (their ids are what the report needs).
  const agents = useLoad(() => props.admin.agents(), []);
  const keys = useLoad(() => props.admin.apiKeys(), []);
  const [who, setWho] = useState('');
  const act = useAction();
  const run = async (e: Event) => {
    e.preventDefault();
    const actor = who.startsWith('agent:') ? who.slice(6) : '';
    const credential = who.startsWith('key:') ? who : form.credential;
    const q: ExposureQuery = { actor, credential, address: form.address, from: iso(form.from), to: iso(form.to) };
    if (!Object.values(q).some((v) => v && v.trim())) return setNeedOne(true);
    setNeedOne(false);
    await act.run(async () => {
      setReport(await props.admin.exposure(q));
      setQuery(q);
    });
  };
  const field = (k: keyof typeof form, label: string, type = 'text', placeholder?: string) => (
    <label class="field">
      <span>{label}</span>
      <input id={`exp-${k}`} type={type} placeholder={placeholder} value={form[k]} onInput={(e) => setForm({ ...form, [k]: e.currentTarget.value })} />
    </label>
  );
  const rows = report?.tenants.flatMap((tn) => tn.visitors.flatMap((v) => v.conversations.map((c) => ({ v, c })))) ?? [];
  return (
    <>
      <Section title={t.admExpFilters} intro={t.admExposureIntro}>
        <form class="adm-grid" onSubmit={run}>
          <label class="field">
            <span>{t.admExpWho}</span>
            <select id="exp-who" value={who} onChange={(e) => setWho(e.currentTarget.value)}>
              <option value="">{t.admExpAnyone}</option>
              <optgroup label={t.admColAgents}>
                {agents.data?.items.map((a) => (
                  <option key={a.id} value={`agent:${a.id}`}>{`${a.name} (${a.email})`}</option>
                ))}
              </optgroup>
              {!!keys.data?.items.length && (
                <optgroup label={t.admKeys}>
                  {keys.data.items.map((k) => (
                    <option key={k.id} value={`key:${k.id}`}>
                      {k.name}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </label>
          {field('credential', t.admExpCredential, 'text', t.admExpCredentialHint)}
          {field('address', t.admExpAddress)}
          {field('from', t.admExpFrom, 'datetime-local')}
          {field('to', t.admExpTo, 'datetime-local')}
          <div>
            <button class="btn btn-primary" type="submit" id="exp-run" disabled={act.busy}>
              {t.admExpRun}
            </button>
          </div>
        </form>
        {needOne && (
          <div class="form-error" role="alert">
            {t.admExpNeedOne}
          </div>
        )}
        <ErrorLine error={act.error} />
      </Section>
      {report && query && (
        <Section title={t.admExpTotals(report.totals.visitors, report.totals.conversations, report.totals.accesses)} id="exposure-results">
          <a class="btn btn-ghost btn-sm" id="exp-csv" href={exposureQuery(query, 'csv')} download="exposure.csv">
            {t.admDownloadCsv}
          </a>
          {rows.length === 0 ? (
            <p class="muted">{t.admExpNothing}</p>
          ) : (
            <div class="adm-scroll">
              <AdminTable
                id="exposure-table"
                columns={[t.admExpVisitor, t.admExpConversation, t.admExpFirst, t.admExpLast, t.admExpAccesses, t.admExpActions, t.admExpActors, t.admExpAddresses]}
              >
                {rows.map(({ v, c }, i) => (
                  <tr key={`${v.visitorId}:${c.conversationId}:${i}`}>
                    <td class="adm-wrap">
                      {v.erased ? <span class="adm-pill">{t.admExpErased}</span> : v.name || v.email || v.visitorId || '—'}
                      {!v.erased && v.email && v.name && <div class="muted adm-small">{v.email}</div>}
                    </td>
                    <td>{c.conversationId ? <a href={`#c=${c.conversationId}`}>{c.conversationId.slice(0, 10)}</a> : '—'}</td>
                    <td>{when(c.firstAccess)}</td>
                    <td>{when(c.lastAccess)}</td>
                    <td>{c.accesses}</td>
                    <td class="adm-wrap adm-small">{c.actions.join(', ')}</td>
                    <td class="adm-wrap adm-small">{c.actors.join(', ')}</td>
                    <td class="adm-wrap adm-small">{c.addresses.join(', ') || '—'}</td>
                  </tr>
                ))}
              </AdminTable>
            </div>
          )}
        </Section>
      )}
    </>
  );
}
