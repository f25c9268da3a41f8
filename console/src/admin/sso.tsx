/**
 * Single sign-on settings (#admin/sso): the tenant's OpenID provider, allowed domains, the role
 * mapping and "require SSO" with its break-glass admins. The client secret is write-only: the form
 * says whether one is stored, never shows it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AgentRole } from '../../../protocol/records.js';
import type { ScimTokenCreated, SsoSettingsBody, SsoSettingsView } from '../../../protocol/sso.js';
import type { AdminApi } from './adminApi.js';
import { ErrorLine, SaveRow, Section, ShownOnce, toggled, useAction, useLoad } from './common.js';
import { t } from '../i18n.js';

const ROLES: AgentRole[] = ['admin', 'supervisor', 'agent'];
const lines = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
const values = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

interface Draft {
  enabled: boolean;
  issuer: string;
  clientId: string;
  /** '' keeps the stored secret. */
  clientSecret: string;
  removeSecret: boolean;
  domains: string;
  roleClaim: string;
  mapping: Record<AgentRole, string>;
  defaultRole: AgentRole | '';
  requireSso: boolean;
  breakGlass: string[];
}

const draftOf = (v: SsoSettingsView): Draft => ({
  enabled: v.enabled,
  issuer: v.issuer,
  clientId: v.clientId,
  clientSecret: '',
  removeSecret: false,
  domains: v.allowedDomains.join('\n'),
  roleClaim: v.roleClaim,
  mapping: { admin: v.roleMapping.admin.join(', '), supervisor: v.roleMapping.supervisor.join(', '), agent: v.roleMapping.agent.join(', ') },
  defaultRole: v.defaultRole ?? '',
  requireSso: v.requireSso,
  breakGlass: v.breakGlassAgentIds,
});

export function bodyOf(d: Draft): SsoSettingsBody {
  return {
    enabled: d.enabled,
    issuer: d.issuer.trim(),
    clientId: d.clientId.trim(),
    ...(d.removeSecret ? { clientSecret: '' } : d.clientSecret ? { clientSecret: d.clientSecret } : {}),
    allowedDomains: lines(d.domains),
    roleClaim: d.roleClaim.trim(),
    roleMapping: { admin: values(d.mapping.admin), supervisor: values(d.mapping.supervisor), agent: values(d.mapping.agent) },
    defaultRole: d.defaultRole || null,
    requireSso: d.requireSso,
    breakGlassAgentIds: d.breakGlass,
  };
}

export function SsoSettings(props: { admin: AdminApi }) {
  const loaded = useLoad(() => props.admin.sso());
  const agents = useLoad(() => props.admin.agents());
  const [view, setView] = useState<SsoSettingsView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  const act = useAction();
  useEffect(() => {
    if (loaded.data) {
      setView(loaded.data);
      setDraft(draftOf(loaded.data));
    }
  }, [loaded.data]);
  if (!draft || !view) return <ErrorLine error={loaded.error} />;
  const set = (p: Partial<Draft>) => {
    setSaved(false);
    setDraft({ ...draft, ...p });
  };
  const candidates = (agents.data?.items ?? []).filter((a) => a.role === 'admin' && !a.disabled && a.totpEnabled);
  const save = async (e: Event) => {
    e.preventDefault();
    const ok = await act.run(async () => {
      const r = await props.admin.updateSso(bodyOf(draft));
      setView(r);
      setDraft(draftOf(r));
    });
    setSaved(ok);
  };
  return (
    <>
      <form onSubmit={save} id="sso-form">
        <Section title={t.admSsoProvider} intro={t.admSsoProviderIntro}>
          <label class="adm-check">
            <input type="checkbox" id="sso-enabled" checked={draft.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked, requireSso: e.currentTarget.checked && draft.requireSso })} /> {t.admSsoEnabled}
          </label>
          <div class="field adm-sso-redirect">
            <span>{t.admSsoRedirect}</span>
            <code class="adm-secret" id="sso-redirect" tabIndex={0}>
              {view.redirectUri}
            </code>
          </div>
          <div class="adm-grid">
            <label class="field">
              <span>{t.admSsoIssuer}</span>
              <input id="sso-issuer" type="url" placeholder="https://login.example.com" value={draft.issuer} maxLength={500} onInput={(e) => set({ issuer: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>{t.admSsoClientId}</span>
              <input id="sso-client-id" value={draft.clientId} maxLength={300} onInput={(e) => set({ clientId: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>{t.admSsoClientSecret}</span>
              <input id="sso-client-secret" type="password" autocomplete="off" placeholder={view.clientSecretSet ? '••••••••' : ''} value={draft.clientSecret} maxLength={1000} disabled={draft.removeSecret} onInput={(e) => set({ clientSecret: e.currentTarget.value })} />
            </label>
          </div>
          <p class="muted adm-small" id="sso-secret-state">
            {view.clientSecretSet ? t.admSsoSecretSet : t.admSsoSecretNone}
          </p>
          {view.clientSecretSet && (
            <label class="adm-check">
              <input type="checkbox" checked={draft.removeSecret} onChange={(e) => set({ removeSecret: e.currentTarget.checked, clientSecret: '' })} /> {t.admSsoRemoveSecret}
            </label>
          )}
          <label class="field">
            <span>{t.admSsoDomains}</span>
            <textarea id="sso-domains" rows={2} class="adm-mono" value={draft.domains} onInput={(e) => set({ domains: e.currentTarget.value })} />
            <span class="muted adm-small">{t.admSsoDomainsHint}</span>
          </label>
        </Section>
        <Section title={t.admSsoRoles} intro={t.admSsoRolesIntro}>
          <div class="adm-grid">
            <label class="field">
              <span>{t.admSsoRoleClaim}</span>
              <input id="sso-role-claim" class="adm-mono" value={draft.roleClaim} maxLength={100} onInput={(e) => set({ roleClaim: e.currentTarget.value })} />
            </label>
            {ROLES.map((role) => (
              <label class="field" key={role}>
                <span>{t.admSsoRoleValues(role)}</span>
                <input id={`sso-map-${role}`} class="adm-mono" placeholder={t.admSsoValuesHint} value={draft.mapping[role]} onInput={(e) => set({ mapping: { ...draft.mapping, [role]: e.currentTarget.value } })} />
              </label>
            ))}
            <label class="field">
              <span>{t.admSsoDefaultRole}</span>
              <select id="sso-default-role" value={draft.defaultRole} onChange={(e) => set({ defaultRole: (e.target as HTMLSelectElement).value as AgentRole | '' })}>
                <option value="">{t.admSsoRefuse}</option>
                {ROLES.map((r) => (
                  <option value={r} key={r}>
                    {t.admSsoRoleAs(r)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </Section>
        <Section title={t.admSsoRequire} intro={t.admSsoRequireIntro}>
          <label class="adm-check">
            <input type="checkbox" id="sso-require" checked={draft.requireSso} disabled={!draft.enabled} onChange={(e) => set({ requireSso: e.currentTarget.checked })} /> {t.admSsoRequireLabel}
          </label>
          <fieldset class="adm-sso-glass">
            <legend>{t.admSsoBreakGlass}</legend>
            {candidates.length === 0 && <p class="muted adm-small">{t.admSsoNoAdmins}</p>}
            {candidates.map((a) => (
              <label class="adm-check" key={a.id}>
                <input type="checkbox" checked={draft.breakGlass.includes(a.id)} onChange={(e) => set({ breakGlass: toggled(draft.breakGlass, a.id, e.currentTarget.checked) })} /> {a.name} <span class="muted">{a.email}</span>
              </label>
            ))}
          </fieldset>
        </Section>
        <ErrorLine error={act.error} />
        <SaveRow id="sso-save" label={t.admSsoSave} disabled={act.busy} saved={saved} />
      </form>
      <div class="adm-sso-scim">
        <ScimToken admin={props.admin} />
      </div>
    </>
  );
}

/** The SCIM token: created or replaced (shown once), or revoked. Outside the settings' save. */
function ScimToken(props: { admin: AdminApi }) {
  const [created, setCreated] = useState<ScimTokenCreated | null>(null);
  const [revoked, setRevoked] = useState(false);
  const act = useAction();
  return (
    <Section title={t.admScimTitle} intro={t.admScimIntro} id="scim">
      {created && <ShownOnce label={t.admScimToken(created.baseUrl)} value={created.token} note={t.admScimOnce} onDone={() => setCreated(null)} />}
      <div class="adm-row">
        <button type="button" class="btn btn-secondary" id="scim-create" disabled={act.busy} onClick={() => void act.run(async () => (setRevoked(false), setCreated(await props.admin.createScimToken())))}>
          {t.admScimCreate}
        </button>
        <button type="button" class="btn btn-ghost" id="scim-revoke" disabled={act.busy} onClick={() => void act.run(async () => (await props.admin.revokeScimToken(), setCreated(null), setRevoked(true)))}>
          {t.admScimRevoke}
        </button>
        <span role="status" class="muted">
          {revoked ? t.admScimRevoked : ''}
        </span>
      </div>
      <ErrorLine error={act.error} />
    </Section>
  );
}
