/** Who the visitor is and what the conversation is: the right-hand context column. */
import type { ComponentChildren } from 'preact';
import type { ConversationView } from '../../protocol/records.js';
import { Avatar } from './avatar.js';
import { fullDateTime, safeHttpUrl, shortId, visitorName } from './format.js';
import { locale, t } from './i18n.js';
import { browserLabel, parseUserAgent } from './ua.js';

function Row(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="kv">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

export function VisitorPanel(props: { conversation: ConversationView; children?: ComponentChildren }) {
  const c = props.conversation;
  const v = c.visitor;
  const name = visitorName(v, t);
  const ua = parseUserAgent(v.userAgent);
  const browser = browserLabel(ua);
  const href = safeHttpUrl(v.currentPage);
  const pageText = v.currentPage ? v.currentPage.replace(/^https?:\/\//, '') : null;
  return (
    // Focusable because it scrolls on its own (a keyboard user must be able to scroll it: WCAG 2.1.1).
    <aside class="context" aria-label={t.visitorDetails} tabIndex={0}>
      <section class="context-card">
        <div class="context-head">
          <Avatar id={v.id} name={name} size="lg" />
          <div>
            <h2>{name}</h2>
            <p class="muted">{v.email ?? t.notProvided}</p>
          </div>
        </div>
        <h3 class="section-title">{t.visitorDetails}</h3>
        <dl>
          <Row label={t.name}>{v.name?.trim() || <span class="muted">{t.notProvided}</span>}</Row>
          <Row label={t.email}>{v.email || <span class="muted">{t.notProvided}</span>}</Row>
          <Row label={t.currentPage}>
            {href ? (
              <a href={href} target="_blank" rel="noopener noreferrer" title={v.currentPage ?? undefined}>
                {pageText}
              </a>
            ) : (
              pageText || <span class="muted">{t.unknown}</span>
            )}
          </Row>
          <Row label={t.browser}>
            {browser ? <span title={v.userAgent ?? undefined}>{browser}</span> : <span class="muted">{t.unknown}</span>}
          </Row>
          <Row label={t.operatingSystem}>{ua.os ?? <span class="muted">{t.unknown}</span>}</Row>
          <Row label={t.firstSeen}>{fullDateTime(v.createdAt, locale)}</Row>
        </dl>
      </section>
      <section class="context-card">
        <h3 class="section-title">{t.conversationDetails}</h3>
        <dl>
          <Row label={t.status}>
            <span class={`pill pill-${c.status}`}>{c.status === 'open' ? t.stateOpen : t.stateResolved}</span>
          </Row>
          <Row label={t.assignee}>{c.assignee?.name ?? <span class="muted">{t.unassigned}</span>}</Row>
          <Row label={t.started}>{fullDateTime(c.createdAt, locale)}</Row>
          <Row label={t.conversationId}>
            <code title={c.id}>{shortId(c.id)}</code>
          </Row>
        </dl>
      </section>
      {props.children}
    </aside>
  );
}

// ==================================================================== embed panel
