/**
 * The admin area (#admin/<section>): agents and roles, security (two-factor, sessions), widget
 * settings with a live preview, allowed origins and the embed snippet, API keys, webhooks,
 * analytics, and tenants for platform operators. Supervisors see analytics only.
 */
import { useState } from 'preact/hooks';
import type { AgentRole } from '../../../protocol/records.js';
import type { SessionInfo } from '../../../protocol/http.js';
import type { ApiClient } from '../api.js';
import { Logo } from '../icons.js';
import { AdminApi } from './adminApi.js';
import { Analytics } from './analytics.js';
import { ErrorLine, Section, ShownOnce, useAction, useLoad, when } from './common.js';
import { ApiKeys, Webhooks } from './developer.js';
import { TotpEnrolment } from './account.js';
import { EmbedSection, WidgetSettings } from './widget.js';
import './admin.css';

export type AdminSection = 'agents' | 'security' | 'widget' | 'embed' | 'api-keys' | 'webhooks' | 'analytics' | 'tenants';
const LABELS: Record<AdminSection, string> = {
  agents: 'Agents & roles',
  security: 'Security',
  widget: 'Widget & origins',
  embed: 'Embed snippet',
  'api-keys': 'API keys',
  webhooks: 'Webhooks',
  analytics: 'Analytics',
  tenants: 'Tenants',
};

export function sectionsFor(session: SessionInfo): AdminSection[] {
  if (session.agent.role === 'supervisor') return ['analytics'];
  const all: AdminSection[] = ['agents', 'security', 'widget', 'embed', 'api-keys', 'webhooks', 'analytics'];
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
          <span class="tenant-name">Admin</span>
        </div>
        <div class="topbar-right">
          <a class="btn btn-ghost" href="#" id="back-to-inbox">
            ← Inbox
          </a>
          <button type="button" class="btn btn-ghost" onClick={props.onLogout}>
            Log out
          </button>
        </div>
      </header>
      <div class="adm-body">
        <nav class="adm-nav" aria-label="Admin sections">
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
          {section === 'security' && <Security admin={admin} api={props.api} />}
          {section === 'widget' && <WidgetSettings admin={admin} />}
          {section === 'embed' && <EmbedSection api={props.api} />}
          {section === 'api-keys' && <ApiKeys admin={admin} />}
          {section === 'webhooks' && <Webhooks admin={admin} />}
          {section === 'analytics' && <Analytics admin={admin} />}
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
  const invite = async (e: Event) => {
    e.preventDefault();
    await act.run(async () => {
      const r = await admin.invite({ email: email.trim(), role });
      setLink(r.url);
      setEmail('');
      invitations.reload();
    });
  };
  return (
    <>
      <Section title="Agents" intro="Roles: agents answer conversations; supervisors also see analytics and assign to others; admins manage everything here.">
        <ErrorLine error={agents.error ?? act.error} />
        <table class="adm-table" id="agents-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Two-factor</th>
              <th>Status</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.data?.items.map((a) => (
              <tr key={a.id} class={a.disabled ? 'adm-dim' : ''}>
                <td>{a.name}</td>
                <td>{a.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${a.name}`}
                    value={a.role}
                    disabled={act.busy}
                    onChange={(e) => act.run(async () => (await admin.updateAgent(a.id, { role: (e.target as HTMLSelectElement).value as AgentRole }), agents.reload()))}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{a.totpEnabled ? <span class="adm-pill adm-ok">On</span> : <span class="adm-pill">Off</span>}</td>
                <td>{a.disabled ? 'Disabled' : 'Active'}</td>
                <td class="adm-actions">
                  {a.totpEnabled && a.id !== props.me && (
                    <button type="button" class="btn btn-ghost btn-sm" onClick={() => act.run(async () => (await admin.resetTotp(a.id), agents.reload()))}>
                      Reset 2FA
                    </button>
                  )}
                  {a.id !== props.me && (
                    <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await admin.updateAgent(a.id, { disabled: !a.disabled }), agents.reload()))}>
                      {a.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Invite an agent" intro="The invitation link works once and expires after 7 days. Send it to the person yourself.">
        {link ? (
          <ShownOnce label="Invitation link" value={link} note="Shown once. Whoever opens it can create the account." onDone={() => setLink(null)} />
        ) : (
          <form class="adm-inline" onSubmit={invite}>
            <label class="field">
              <span>Email</span>
              <input id="invite-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>Role</span>
              <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as AgentRole)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <button class="btn btn-primary" type="submit" disabled={act.busy}>
              Create invitation
            </button>
          </form>
        )}
        <table class="adm-table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Sent</th>
              <th>State</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.data?.items.map((i) => {
              const state = i.acceptedAt ? 'Accepted' : i.revokedAt ? 'Revoked' : Date.parse(i.expiresAt) < Date.now() ? 'Expired' : 'Pending';
              return (
                <tr key={i.id}>
                  <td>{i.email}</td>
                  <td>{i.role}</td>
                  <td>{when(i.createdAt)}</td>
                  <td>{state}</td>
                  <td class="adm-actions">
                    {state === 'Pending' && (
                      <button type="button" class="btn btn-ghost btn-sm" onClick={() => act.run(async () => (await admin.revokeInvitation(i.id), invitations.reload()))}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
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
      <Section title="Your two-factor authentication" intro="A 6-digit code from an authenticator app (TOTP, RFC 6238) at every sign-in.">
        {totp.data?.enabled ? (
          <form
            class="adm-inline"
            onSubmit={(e) => {
              e.preventDefault();
              void act.run(async () => (await admin.totpDisable(disableCode), setDisableCode(''), totp.reload()));
            }}
          >
            <p>
              <span class="adm-pill adm-ok">On</span>
            </p>
            <label class="field">
              <span>Current code, to turn it off</span>
              <input inputMode="numeric" maxLength={6} value={disableCode} onInput={(e) => setDisableCode(e.currentTarget.value)} />
            </label>
            <button class="btn btn-secondary" type="submit" disabled={!/^[0-9]{6}$/.test(disableCode)}>
              Turn off
            </button>
          </form>
        ) : (
          totp.data && <TotpEnrolment api={props.api} onEnabled={() => totp.reload()} />
        )}
        <ErrorLine error={act.error} />
      </Section>
      <Section title="Require two-factor for everyone" intro="When on, agents without two-factor can only set it up after signing in.">
        {settings.data && (
          <label class="adm-check">
            <input
              type="checkbox"
              id="require-totp"
              checked={settings.data.requireTotp}
              onChange={(e) => act.run(async () => settings.set(await admin.updateSettings({ requireTotp: e.currentTarget.checked })))}
            />
            Require two-factor authentication for every agent of this tenant
          </label>
        )}
      </Section>
      <Section title="Signed-in sessions" intro="Revoking signs that browser out at its next request.">
        <ErrorLine error={sessions.error} />
        <table class="adm-table" id="sessions-table">
          <thead>
            <tr>
              <th>Agent</th>
              <th>Signed in</th>
              <th>Address</th>
              <th>Browser</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.data?.items.map((s) => (
              <tr key={s.id}>
                <td>
                  {s.agent.name} {s.current && <span class="adm-pill adm-ok">This session</span>}
                </td>
                <td>{when(s.createdAt)}</td>
                <td>{s.ip ?? '—'}</td>
                <td class="adm-ua" title={s.userAgent ?? ''}>
                  {s.userAgent ?? '—'}
                </td>
                <td class="adm-actions">
                  {!s.current && (
                    <button type="button" class="btn btn-secondary btn-sm" onClick={() => act.run(async () => (await admin.revokeSession(s.id), sessions.reload()))}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
      <Section title="All tenants" intro="Visible to platform operators only.">
        <ErrorLine error={tenants.error} />
        <table class="adm-table" id="tenants-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Slug</th>
              <th>Agents</th>
              <th>Allowed origins</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </Section>
      <Section title="Create a tenant">
        {link && <ShownOnce label="First admin's invitation link" value={link} note="Send it to the tenant's admin; it works once." onDone={() => setLink(null)} />}
        <form class="adm-grid" onSubmit={submit}>
          {field('name', 'Name')}
          {field('slug', 'Slug (lowercase, digits, dashes)')}
          {field('origins', 'Allowed origins (space or comma separated)')}
          {field('adminEmail', 'First admin email (optional)', 'email')}
          <div>
            <button class="btn btn-primary" type="submit" disabled={act.busy}>
              Create tenant
            </button>
          </div>
        </form>
        <ErrorLine error={act.error} />
      </Section>
    </>
  );
}
