/** The console's top bar: brand, tenant, connection status, admin link, the signed-in agent. */
import type { ComponentChildren } from 'preact';
import type { SessionInfo } from '../../protocol/http.js';
import { Avatar } from './avatar.js';
import { t } from './i18n.js';
import { LanguageSwitch } from './languageSwitch.js';
import { CodeIcon, Logo, LogoutIcon } from './icons.js';
import type { ConnState } from './state.js';

const CONN_TEXT: Record<ConnState, string> = {
  connecting: t.connecting,
  live: t.live,
  reconnecting: t.reconnecting,
  offline: t.offline,
};

export function TopBar(props: {
  session: SessionInfo;
  conn: ConnState;
  onLogout: () => void;
  /** Contact-centre controls (presence, notifications, library). */
  extra?: ComponentChildren;
}) {
  const { agent, tenant } = props.session;
  return (
    <header class="topbar">
      <div class="brand">
        <Logo />
        <span class="brand-name">{t.appName}</span>
        <span class="brand-sep" aria-hidden="true">/</span>
        <span class="tenant-name">{tenant.name}</span>
      </div>
      <div class="topbar-right">
        <span class={`conn conn-${props.conn}`} role="status" aria-live="polite" aria-label={`${t.connectionStatus}: ${CONN_TEXT[props.conn]}`}>
          <span class="conn-dot" aria-hidden="true" />
          <span aria-hidden="true">{CONN_TEXT[props.conn]}</span>
        </span>
        {agent.role === 'admin' && (
          // The one place for the snippet and the page's Content-Security-Policy: Admin › Embed.
          <a class="btn btn-ghost" href="#admin/embed" id="open-embed" title={t.embedOpen}>
            <CodeIcon />
            <span class="collapse-label">{t.embed}</span>
          </a>
        )}
        {agent.role !== 'agent' && (
          <a class="btn btn-ghost" href={agent.role === 'admin' ? '#admin/agents' : '#admin/analytics'} id="open-admin">
            <span>{agent.role === 'admin' ? t.adminLink : t.analyticsLink}</span>
          </a>
        )}
        {props.extra}
        <LanguageSwitch />
        <span class="me" title={t.signedInAs(agent.name)}>
          <Avatar id={agent.id} name={agent.name} size="sm" />
          <span class="me-name">{agent.name}</span>
        </span>
        <button type="button" class="btn btn-ghost" onClick={props.onLogout}>
          <LogoutIcon />
          <span class="collapse-label">{t.logout}</span>
        </button>
      </div>
    </header>
  );
}

// ==================================================================== sidebar
