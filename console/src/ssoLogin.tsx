/**
 * "Sign in with SSO" on the login card: the organisation's slug or a work email finds where to
 * start (/api/auth/sso/discover), then the browser goes to the identity provider and comes back
 * signed in. A failed sign-in comes back as `?sso_error=<code>`, shown from the console's own
 * sentences (never text from the URL).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { SSO_ERRORS, type SsoDiscovery, type SsoErrorCode } from '../../protocol/sso.js';
import { ApiError, type ApiClient } from './api.js';
import { errorText } from './app.js';
import { t } from './i18n.js';

/** The sso_error of the current URL, if it is one of the known codes. */
export function ssoErrorFrom(search: string): SsoErrorCode | null {
  const code = new URLSearchParams(search).get('sso_error');
  return (SSO_ERRORS as readonly string[]).includes(code ?? '') ? (code as SsoErrorCode) : null;
}

export function SsoSignIn(props: { api: ApiClient }) {
  const [initialError] = useState(() => ssoErrorFrom(location.search));
  const [open, setOpen] = useState(initialError !== null);
  const [q, setQ] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(initialError ? t.ssoError(initialError) : null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // Shown once: a reload should not repeat an old failure.
    if (initialError) history.replaceState(null, '', location.pathname + location.hash);
  }, []);
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);

  async function go() {
    if (busy || !q.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const found = await props.api.request<SsoDiscovery>('GET', `/api/auth/sso/discover?q=${encodeURIComponent(q.trim())}`, undefined, true);
      location.assign(found.startUrl);
    } catch (err) {
      setBusy(false);
      setError(err instanceof ApiError && err.status === 404 ? t.ssoNotFound : errorText(err));
    }
  }

  return (
    <div class="sso" id="sso">
      <div class="sso-or" aria-hidden="true">
        <span>{t.ssoOr}</span>
      </div>
      {!open ? (
        <button type="button" class="btn btn-secondary btn-block" id="sso-open" onClick={() => setOpen(true)}>
          {t.ssoButton}
        </button>
      ) : (
        <>
          {error && (
            <div class="form-error" role="alert" id="sso-error">
              {error}
            </div>
          )}
          <label class="field">
            <span>{t.ssoLabel}</span>
            <input
              ref={input}
              id="sso-q"
              name="sso"
              autocomplete="organization"
              value={q}
              aria-describedby="sso-hint"
              onInput={(e) => setQ(e.currentTarget.value)}
              onKeyDown={(e) => {
                // Inside the password form: Enter here means SSO, not the password sign-in.
                if (e.key === 'Enter') {
                  e.preventDefault();
                  void go();
                }
              }}
            />
            <span class="muted sso-hint" id="sso-hint">
              {t.ssoHint}
            </span>
          </label>
          <button type="button" class="btn btn-secondary btn-block" id="sso-continue" disabled={busy} aria-busy={busy} onClick={() => void go()}>
            {t.ssoContinue}
          </button>
        </>
      )}
    </div>
  );
}
