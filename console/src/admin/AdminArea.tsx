/**
 * The admin area (#admin/<section>): agents and roles, security (two-factor, sessions), widget
 * settings with a live preview, allowed origins and the embed snippet, API keys, webhooks,
 * analytics, and tenants for platform operators. Supervisors see analytics, service levels, labels
 * and macros.
 */
import { useState } from 'preact/hooks';
import type { AgentRole } from '../../../protocol/records.js';
import type { SessionInfo } from '../../../protocol/http.js';
import type { ApiClient } from '../api.js';
import { Logo } from '../icons.js';
import { AdminApi } from './adminApi.js';
import { Analytics } from './analytics.js';
import { AdminTable, ErrorLine, Section, ShownOnce, useAction, useLoad, when } from './common.js';
import { ApiKeys, Webhooks } from './developer.js';
import { TotpEnrolment } from './account.js';
import { EmbedSection, WidgetSettings } from './widget.js';
import { ContactSettings, Teams } from './teams.js';
import { Exposure, Privacy } from './privacy.js';
import { SsoSettings } from './sso.js';
import { IncidentHistory } from './incidents.js';
import { SlaPolicies } from './slaPolicies.js';
import { LabelsAdmin } from './labelsAdmin.js';
import { MacrosAdmin } from './macrosAdmin.js';
import { ProactiveRules } from './proactiveRules.js';
import { t } from '../i18n.js';
import './admin.css';

export type AdminSection = 'agents' | 'teams' | 'sla' | 'labels' | 'macros' | 'proactive' | 'contact' | 'security' | 'sso' | 'incidents' | 'privacy' | 'exposure' | 'widget' | 'embed' | 'api-keys' | 'webhooks' | 'analytics' | 'tenants';
const LABELS: Record<AdminSection, string> = {
  agents: t.admSecAgents,
  teams: t.admSecTeams,
  sla: t.admSecSla,
  labels: t.admSecLabels,
  macros: t.admSecMacros,
  proactive: t.admSecProactive,
  contact: t.admSecContact,
  security: t.admSecSecurity,
  sso: t.admSecSso,
  incidents: t.admSecIncidents,
  privacy: t.admSecPrivacy,
  exposure: t.admSecExposure,
  widget: t.admSecWidget,
  embed: t.admSecEmbed,
  'api-keys': t.admSecApiKeys,
  webhooks: t.admSecWebhooks,
  analytics: t.admSecAnalytics,
  tenants: t.admSecTenants,
};

export function sectionsFor(session: SessionInfo): AdminSection[] {
  if (session.agent.role === 'supervisor') return ['analytics', 'sla', 'labels', 'macros'];
  const all: AdminSection[] = ['agents', 'teams', 'sla', 'labels', 'macros', 'proactive', 'contact', 'security', 'sso', 'incidents', 'privacy', 'exposure', 'widget', 'embed', 'api-keys', 'webhooks', 'analytics'];
  return session.security?.operator ? [...all, 'tenants'] : all;
}

export function AdminArea(props: { api: ApiClient; session: SessionInfo; section: string; onLogout: () => void }) {
  const sections = sectionsFor(props.session);
  const section = (sections.includes(props.section as AdminSection) ? props.section : sections[0]) as AdminSection;
  const admin = new AdminApi(props.api);
  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">
          <Logo />
          <span class="brand-name">Parley</span>
          <span class="brand-sep" aria-hidden="true">/</span>
          <span class="tenant-name">{props.session.tenant.name}</span>
          <span class="brand-sep" aria-hidden="true">/</span>
          <span class="tenant-name">{t.admAdmin}</span>
        </div>
        <div class="topbar-right">
          <a class="btn btn-ghost" href="#" id="back-to-inbox">
            {t.admBackToInbox}
          </a>
          <button type="button" class="btn btn-ghost" onClick={props.onLogout}>
            {t.logout}
          </button>
        </div>
      </header>
      <div class="adm-body">
        <nav class="adm-nav" aria-label={t.admSections}>
          <ul>
            {sections.map((s) => (
              <li key={s}>
                <a href={`#admin/${s}`} aria-current={s === section ? 'page' : undefined}>
                  {LABELS[s]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main class="adm-main" id="admin-main">
          <h1 class="adm-title">{LABELS[section]}</h1>
          {section === 'agents' && <Agents admin={admin} me={props.session.agent.id} />}
          {section === 'teams' && <Teams admin={admin} />}
          {section === 'sla' && <SlaPolicies api={props.api} />}
          {section === 'labels' && <LabelsAdmin api={props.api} />}
          {section === 'macros' && <MacrosAdmin api={props.api} />}
          {section === 'proactive' && <ProactiveRules api={props.api} />}
          {section === 'contact' && <ContactSettings admin={admin} />}
          {section === 'security' && <Security admin={admin} api={props.api} />}
          {section === 'sso' && <SsoSettings admin={admin} />}
          {section === 'incidents' && <IncidentHistory api={props.api} />}
          {section === 'privacy' && <Privacy admin={admin} />}
          {section === 'exposure' && <Exposure admin={admin} />}
          {section === 'widget' && <WidgetSettings admin={admin} />}
          {section === 'embed' && <EmbedSection api={props.api} />}
          {section === 'api-keys' && <ApiKeys admin={admin} />}
          {section === 'webhooks' && <Webhooks admin={admin} />}
          {section === 'analytics' && <Analytics admin={admin} api={props.api} />}
          {section === 'tenants' && <Tenants admin={admin} />}
        </main>
      </div>
    </div>
  );
}

const ROLES: AgentRole[] = ['agent', 'supervisor', 'admin'];

function Agents(props: { admin: AdminApi; me: string }) {
  const { admin } = props;
  const agents = useLoad(() => admin.agents());
  const invitations = useLoad(() => admin.invitations());
  const act = useAction();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<AgentRole>('agent');
  const [link, setLink] = useState<string | null>(null);
  const [mailed, setMailed] = useState<{ to: string; ok: boolean } | null>(null);
  const invite = async (e: Event) => {
    e.preventDefault();
    await act.run(async () => {
      const r = await admin.invite({ email: email.trim(), role });
      setLink(r.url);
      setMailed({ to: r.invitation.email, ok: r.emailed === true });
      setEmail('');
      invitations.reload();
    });
  };
  return (
    <>
      <Section title={t.admAgentsTitle} intro={t.admAgentsIntro}>
        <ErrorLine error={agents.error ?? act.error} />
        <AdminTable id="agents-table" columns={[t.admColName, t.admColEmail, t.admColRole, t.admColTwoFactor, t.admColStatus]} actions>
          {agents.data?.items.map((a) => (
            <tr key={a.id} class={a.disabled ? 'adm-dim' : ''}>
              <td>{a.name}</td>
              <td>{a.email}</td>
              <td>
                <select
                  aria-label={t.admRoleOf(a.name)}
                  value={a.role}
                  disabled={act.busy}
                  onChange={(e) => act.run(async () => (await admin.updateAgent(a.id, { role: (e.target as HTMLSelectElement).value as AgentRole }), agents.reload()))}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t.admRole(r)}
                    </option>
                  ))}
                </select>
              </td>
              <td>{a.totpEnabled ? <span class="adm-pill adm-ok">{t.admOn}</span> : <span class="adm-pill">{t.admOff}</span>}</td>
              <td>{a.disabled ? t.admDisabled : t.admActive}</td>
              <td class="adm-actions">
                {a.totpEnabled && a.id !== props.me && (
                  <button type="button" class="btn btn-ghost btn-sm" onClick={() => act.run(async () => (await admin.resetTotp(a.id), agents.reload()))}>
                    {t.admReset2fa}
                  </button>
                )}
                {a.id !== props.me && (
                  <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await admin.updateAgent(a.id, { disabled: !a.disabled }), agents.reload()))}>
                    {a.disabled ? t.admEnable : t.admDisable}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </AdminTable>
      </Section>
      <Section title={t.admInviteTitle} intro={t.admInviteIntro}>
        {link ? (
          <>
            {mailed && (
              <p class={mailed.ok ? 'form-ok' : 'form-error'} role="status" id="invite-mailed">
                {mailed.ok ? t.admInviteEmailed(mailed.to) : t.admInviteNotEmailed(mailed.to)}
              </p>
            )}
            <ShownOnce label={t.admInviteLink} value={link} note={t.admInviteNote} onDone={() => setLink(null)} />
          </>
        ) : (
          <form class="adm-inline" onSubmit={invite}>
            <label class="field">
              <span>{t.admColEmail}</span>
              <input id="invite-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>{t.admColRole}</span>
              <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as AgentRole)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t.admRole(r)}
                  </option>
                ))}
              </select>
            </label>
            <button class="btn btn-primary" type="submit" disabled={act.busy}>
              {t.admInviteCreate}
            </button>
          </form>
        )}
        <AdminTable columns={[t.admColEmail, t.admColRole, t.admColSent, t.admColState]} actions>
          {invitations.data?.items.map((i) => {
            const state = i.acceptedAt ? 'Accepted' : i.revokedAt ? 'Revoked' : Date.parse(i.expiresAt) < Date.now() ? 'Expired' : 'Pending';
            return (
              <tr key={i.id}>
                <td>{i.email}</td>
                <td>{t.admRole(i.role)}</td>
                <td>{when(i.createdAt)}</td>
                <td>{t.admInvState(state)}</td>
                <td class="adm-actions">
                  {state === 'Pending' && (
                    <button type="button" class="btn btn-ghost btn-sm" onClick={() => act.run(async () => (await admin.revokeInvitation(i.id), invitations.reload()))}>
                      {t.admRevoke}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </AdminTable>
      </Section>
    </>
  );
}

function Security(props: { admin: AdminApi; api: ApiClient }) {
  const { admin } = props;
  const totp = useLoad(() => admin.totp());
  const sessions = useLoad(() => admin.sessions());
  const settings = useLoad(() => admin.settings());
  const act = useAction();
  const [disableCode, setDisableCode] = useState('');
  return (
    <>
      <Section title={t.admTotpTitle} intro={t.admTotpIntro}>
        {totp.data?.enabled ? (
          <form
            class="adm-inline"
            onSubmit={(e) => {
              e.preventDefault();
              void act.run(async () => (await admin.totpDisable(disableCode), setDisableCode(''), totp.reload()));
            }}
          >
            <p>
              <span class="adm-pill adm-ok">{t.admOn}</span>
            </p>
            <label class="field">
              <span>{t.admTotpCurrent}</span>
              <input inputMode="numeric" maxLength={6} value={disableCode} onInput={(e) => setDisableCode(e.currentTarget.value)} />
            </label>
            <button class="btn btn-secondary" type="submit" disabled={!/^[0-9]{6}$/.test(disableCode)}>
              {t.admTurnOff}
            </button>
          </form>
        ) : (
          totp.data && <TotpEnrolment api={props.api} onEnabled={() => totp.reload()} />
        )}
        <ErrorLine error={act.error} />
      </Section>
      <Section title={t.admRequireTotpTitle} intro={t.admRequireTotpIntro}>
        {settings.data && (
          <label class="adm-check">
            <input
              type="checkbox"
              id="require-totp"
              checked={settings.data.requireTotp}
              onChange={(e) => act.run(async () => settings.set(await admin.updateSettings({ requireTotp: e.currentTarget.checked })))}
            />
            {t.admRequireTotpLabel}
          </label>
        )}
      </Section>
      <Section title={t.admSessionsTitle} intro={t.admSessionsIntro}>
        <ErrorLine error={sessions.error} />
        <AdminTable id="sessions-table" columns={[t.admAgent, t.admColSignedIn, t.admColAddress, t.admColBrowser]} actions>
          {sessions.data?.items.map((s) => (
            <tr key={s.id}>
              <td>
                {s.agent.name} {s.current && <span class="adm-pill adm-ok">{t.admThisSession}</span>}
              </td>
              <td>{when(s.createdAt)}</td>
              <td>{s.ip ?? '—'}</td>
              <td class="adm-ua" title={s.userAgent ?? ''}>
                {s.userAgent ?? '—'}
              </td>
              <td class="adm-actions">
                {!s.current && (
                  <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await admin.revokeSession(s.id), sessions.reload()))}>
                    {t.admRevoke}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </AdminTable>
      </Section>
    </>
  );
}

function Tenants(props: { admin: AdminApi }) {
  const { admin } = props;
  const tenants = useLoad(() => admin.tenants());
  const act = useAction();
  const [form, setForm] = useState({ slug: '', name: '', origins: '', adminEmail: '' });
  const [link, setLink] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    await act.run(async () => {
      const r = await admin.createTenant({
        slug: form.slug.trim(),
        name: form.name.trim(),
        allowedOrigins: form.origins.split(/[\s,]+/).filter(Boolean),
        ...(form.adminEmail.trim() ? { adminEmail: form.adminEmail.trim() } : {}),
      });
      setLink(r.invitationUrl);
      setForm({ slug: '', name: '', origins: '', adminEmail: '' });
      tenants.reload();
    });
  };
  const field = (k: keyof typeof form, label: string, type = 'text') => (
    <label class="field">
      <span>{label}</span>
      <input id={`tenant-${k}`} type={type} value={form[k]} onInput={(e) => setForm({ ...form, [k]: e.currentTarget.value })} />
    </label>
  );
  return (
    <>
      <Section title={t.admTenantsTitle} intro={t.admTenantsIntro}>
        <ErrorLine error={tenants.error} />
        <AdminTable id="tenants-table" columns={[t.admColName, t.admColSlug, t.admColAgents, t.admColOrigins, t.admColCreated]}>
          {tenants.data?.items.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>
                <code>{t.slug}</code>
              </td>
              <td>{t.agents}</td>
              <td>{t.allowedOrigins.join(', ') || '—'}</td>
              <td>{when(t.createdAt)}</td>
            </tr>
          ))}
        </AdminTable>
      </Section>
      <Section title={t.admTenantCreateTitle}>
        {link && <ShownOnce label={t.admTenantInviteLink} value={link} note={t.admTenantInviteNote} onDone={() => setLink(null)} />}
        <form class="adm-grid" onSubmit={submit}>
          {field('name', t.admColName)}
          {field('slug', t.admTenantSlug)}
          {field('origins', t.admTenantOrigins)}
          {field('adminEmail', t.admTenantAdminEmail, 'email')}
          <div>
            <button class="btn btn-primary" type="submit" disabled={act.busy}>
              {t.admTenantCreate}
            </button>
          </div>
        </form>
        <ErrorLine error={act.error} />
      </Section>
    </>
  );
}
