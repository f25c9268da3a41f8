import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionInfo } from '../../protocol/http.js';
import { ApiClient, ApiError } from './api.js';
import { Console } from './console.js';
import { t } from './i18n.js';
import { LanguageSwitch } from './languageSwitch.js';
import { Logo } from './icons.js';
import { AdminArea } from './admin/AdminArea.js';
import { AcceptInvite, TotpRequired } from './admin/account.js';
import { SsoSignIn } from './ssoLogin.js';

/** `good`: the notice is good news (account created), shown as such, not as an error. */
type Phase = { kind: 'loading' } | { kind: 'login'; notice?: string; good?: boolean } | { kind: 'ready'; session: SessionInfo };

/** Human text for an error from the API. */
export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return t.errGeneric;
  switch (err.code) {
    case 'network':
      return t.errNetwork;
    case 'unauthorized':
      return t.errSessionExpired;
    case 'forbidden':
      return t.errForbidden;
    case 'not_found':
      return t.errNotFound;
    case 'csrf_failed':
      return t.errCsrf;
    case 'rate_limited':
      return t.errTooManyAttempts;
    case 'conversation_closed':
      return t.errConversationClosed;
    case 'internal':
    case 'unavailable':
      return t.errServer;
    default:
      return err.message || t.errGeneric;
  }
}

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const phaseRef = useRef(phase);
  phaseRef.current = phase;
  const api = useMemo(
    () =>
      new ApiClient({
        onUnauthorized: () => {
          if (phaseRef.current.kind === 'ready') setPhase({ kind: 'login', notice: t.errSessionExpired });
        },
      }),
    [],
  );

  // Hash routes (issue 6): #admin/<section> is the admin area, #invite=<token> the invitation page.
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const signOut = async () => {
    await api.logout().catch(() => undefined);
    history.replaceState(null, '', location.pathname);
    setHash('');
    setPhase({ kind: 'login' });
  };

  useEffect(() => {
    api
      .me()
      .then((session) => setPhase({ kind: 'ready', session }))
      .catch((err: unknown) => {
        const unauth = err instanceof ApiError && err.status === 401;
        setPhase({ kind: 'login', notice: unauth ? undefined : errorText(err) });
      });
  }, [api]);

  if (phase.kind === 'loading') {
    return (
      <div class="splash" role="status" aria-live="polite">
        <Logo />
        <span class="visually-hidden">{t.loading}</span>
      </div>
    );
  }
  const invite = /^#invite=([A-Za-z0-9_-]{10,100})$/.exec(hash);
  if (invite) {
    return (
      <AcceptInvite
        api={api}
        token={invite[1]!}
        onDone={(notice) => {
          history.replaceState(null, '', location.pathname);
          setHash('');
          setPhase({ kind: 'login', notice, good: true });
        }}
      />
    );
  }
  if (phase.kind === 'login') {
    return <Login api={api} notice={phase.notice} good={phase.good} onSession={(session) => setPhase({ kind: 'ready', session })} />;
  }
  if (phase.session.security?.totpEnrolmentRequired) {
    return (
      <TotpRequired
        api={api}
        tenantName={phase.session.tenant.name}
        onEnabled={() => void api.me().then((session) => setPhase({ kind: 'ready', session }))}
        onLogout={signOut}
      />
    );
  }
  if (hash.startsWith('#admin') && phase.session.agent.role !== 'agent') {
    return <AdminArea api={api} session={phase.session} section={hash.slice('#admin/'.length)} onLogout={signOut} />;
  }
  return (
    <Console
      key={phase.session.agent.id}
      api={api}
      session={phase.session}
      onSignedOut={(notice) => setPhase({ kind: 'login', notice })}
    />
  );
}

function Login(props: { api: ApiClient; notice?: string; good?: boolean; onSession: (s: SessionInfo) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(props.good ? undefined : props.notice);
  // Two-factor step: shown after the server answers that this account needs a code.
  const [needTotp, setNeedTotp] = useState(false);
  const [totp, setTotp] = useState('');
  const emailRef = useRef<HTMLInputElement>(null);

  useEffect(() => emailRef.current?.focus(), []);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const cleanEmail = email.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(cleanEmail) || !password) {
      setError(t.errInvalidInput);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const session = await props.api.login({ email: cleanEmail, password, ...(needTotp ? { totp: totp.trim() } : {}) });
      props.onSession(session);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        // 429 with totpRequired: the account is protected after failures from elsewhere; a code still gets in.
        const wantsCode = (err.status === 401 || err.status === 429) && (err.details as { totpRequired?: boolean } | undefined)?.totpRequired === true;
        if (wantsCode) {
          setError(needTotp ? err.message : undefined);
          setNeedTotp(true);
        } else if (err.status === 401) setError(t.errWrongCredentials);
        else if ((err.details as { ssoRequired?: boolean } | undefined)?.ssoRequired) setError(t.ssoRequired);
        else if (err.status === 429) setError(t.errTooManyAttempts);
        else if (err.status === 400 || err.status === 422) setError(t.errInvalidInput);
        else setError(errorText(err));
      } else setError(t.errGeneric);
    }
  }

  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <div class="login-brand">
          <Logo />
          <span>{t.appName}</span>
        </div>
        <h1 id="login-title">{t.loginTitle}</h1>
        <p class="muted">{t.loginSubtitle}</p>
        {props.good && props.notice && !error && (
          <div class="form-ok" role="status">
            {props.notice}
          </div>
        )}
        {error && (
          <div class="form-error" role="alert" id="login-error">
            {error}
          </div>
        )}
        <label class="field">
          <span>{t.email}</span>
          <input
            ref={emailRef}
            type="email"
            name="email"
            autocomplete="username"
            required
            value={email}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'login-error' : undefined}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>{t.password}</span>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'login-error' : undefined}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {needTotp && (
          <label class="field">
            <span>{t.totpCodeLabel}</span>
            <input
              id="login-totp"
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              autoFocus
              value={totp}
              onInput={(e) => setTotp(e.currentTarget.value)}
            />
          </label>
        )}
        <button class="btn btn-primary btn-block" type="submit" disabled={busy} aria-busy={busy}>
          {busy ? t.signingIn : t.signIn}
        </button>
        <SsoSignIn api={props.api} />
      </form>
      <LanguageSwitch />
    </main>
  );
}
