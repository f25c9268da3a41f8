/** Screens outside the signed-in console: accepting an invitation, and mandatory two-factor enrolment. */
import { useEffect, useState } from 'preact/hooks';
import type { InvitationInfo, TotpSetup } from '../../../protocol/admin.js';
import type { ApiClient } from '../api.js';
import { errorText } from '../app.js';
import { Logo } from '../icons.js';
import { AdminApi } from './adminApi.js';
import { ErrorLine } from './common.js';
import { t } from '../i18n.js';
import { QrCode } from './qrCode.js';

export function AcceptInvite(props: { api: ApiClient; token: string; onDone: (notice: string) => void }) {
  const admin = new AdminApi(props.api);
  const [info, setInfo] = useState<InvitationInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    admin.invitationInfo(props.token).then(setInfo, (e: unknown) => setError(errorText(e)));
  }, [props.token]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (password.length < 12) return setError(t.admPasswordShort);
    setBusy(true);
    setError(null);
    try {
      await admin.acceptInvitation({ token: props.token, name: name.trim(), password });
      props.onDone(t.admAccountReady);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} aria-labelledby="invite-title">
        <div class="login-brand">
          <Logo />
          <span>Parley</span>
        </div>
        <h1 id="invite-title">{t.admJoin(info?.tenantName ?? null)}</h1>
        {info && (
          <p class="muted">
            {t.admInvitedAs1} <strong>{t.admRole(info.role)}</strong> {t.admInvitedAs2} <strong>{info.email}</strong>. {t.admInvitedAs3}
          </p>
        )}
        <ErrorLine error={error} />
        {info && (
          <>
            <label class="field">
              <span>{t.admYourName}</span>
              <input id="invite-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} autocomplete="name" />
            </label>
            <label class="field">
              <span>{t.admPasswordLabel}</span>
              <input id="invite-password" type="password" required minLength={12} value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="new-password" />
            </label>
            <button class="btn btn-primary btn-block" type="submit" disabled={busy || !name.trim()}>
              {busy ? t.admCreatingAccount : t.admCreateAccount}
            </button>
          </>
        )}
      </form>
    </main>
  );
}

/** Enrolment steps: a secret to type (or the otpauth URI to paste), then the first code. */
export function TotpEnrolment(props: { api: ApiClient; onEnabled: () => void }) {
  const admin = new AdminApi(props.api);
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setError(null);
    try {
      setSetup(await admin.totpSetup());
    } catch (e) {
      setError(errorText(e));
    }
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await admin.totpConfirm(code.trim());
      props.onEnabled();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  if (!setup) {
    return (
      <div class="adm-stack">
        <ErrorLine error={error} />
        <button type="button" class="btn btn-primary" id="totp-start" onClick={start}>
          {t.admTotpSetup}
        </button>
      </div>
    );
  }
  return (
    <form class="adm-stack" onSubmit={confirm}>
      <p>{t.admTotpScan}</p>
      <QrCode text={setup.otpauthUri} label={t.admTotpQrLabel} />
      <p>{t.admTotpStep1}</p>
      <code class="adm-secret" id="totp-secret" tabIndex={0}>
        {setup.secret.replace(/(.{4})/g, '$1 ').trim()}
      </code>
      <details>
        <summary>{t.admTotpLink}</summary>
        <code class="adm-secret adm-wrap">{setup.otpauthUri}</code>
      </details>
      <label class="field">
        <span>{t.admTotpStep2}</span>
        <input id="totp-code" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
      </label>
      <ErrorLine error={error} />
      <button class="btn btn-primary" type="submit" disabled={busy || !/^[0-9]{6}$/.test(code.trim())}>
        {t.admTotpTurnOn}
      </button>
    </form>
  );
}

/** Shown instead of the console while the tenant requires two-factor and the agent has none. */
export function TotpRequired(props: { api: ApiClient; tenantName: string; onEnabled: () => void; onLogout: () => void }) {
  return (
    <main class="login">
      <div class="login-card">
        <div class="login-brand">
          <Logo />
          <span>Parley</span>
        </div>
        <h1>{t.admTotpRequired}</h1>
        <p class="muted">{t.admTotpRequiredIntro(props.tenantName)}</p>
        <TotpEnrolment api={props.api} onEnabled={props.onEnabled} />
        <button type="button" class="btn btn-ghost btn-block" onClick={props.onLogout}>
          {t.logout}
        </button>
      </div>
    </main>
  );
}
