/**
 * Presentational components. Message bodies and visitor data are rendered as JSX text children
 * only, never as HTML.
 */
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { EmbedSnippet, SessionInfo } from '../../protocol/http.js';
import type { AgentView, ConversationView } from '../../protocol/records.js';
import { LIMITS } from '../../protocol/limits.js';
import type { ApiClient } from './api.js';
import { errorText } from './app.js';
import {
  clockTime,
  colorSlot,
  fullDateTime,
  initials,
  preview,
  relativeTime,
  safeHttpUrl,
  shortId,
  visitorName,
} from './format.js';
import { lang, t } from './i18n.js';
import { CspPanel } from './security.js';
import {
  CheckIcon,
  CloseIcon,
  CodeIcon,
  CopyIcon,
  InboxIcon,
  LockIcon,
  Logo,
  LogoutIcon,
  ReopenIcon,
  SendIcon,
  UserIcon,
} from './icons.js';
import {
  TABS,
  conversationsIn,
  tabSummary,
  type ChatMessage,
  type ConnState,
  type InboxTab,
  type State,
  type StatusFilter,
  type Thread,
} from './state.js';
import { parseUserAgent } from './ua.js';
import type { CannedResponseView } from '../../protocol/contactCentre.js';
import { cannedQuery, expandCanned, matchCanned, type CannedVars } from './canned.js';

const locale = lang === 'fr' ? 'fr-FR' : 'en-GB';

function Avatar(props: { id: string; name: string; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <span class={`avatar avatar-${props.size ?? 'md'} avatar-c${colorSlot(props.id)}`} aria-hidden="true">
      {initials(props.name)}
    </span>
  );
}

// ==================================================================== top bar

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
  onEmbed: () => void;
  embedButtonRef: RefObject<HTMLButtonElement>;
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
          <button type="button" class="btn btn-ghost" ref={props.embedButtonRef} onClick={props.onEmbed} aria-label={t.embedOpen}>
            <CodeIcon />
            <span>{t.embed}</span>
          </button>
        )}
        {agent.role !== 'agent' && (
          <a class="btn btn-ghost" href={agent.role === 'admin' ? '#admin/agents' : '#admin/analytics'} id="open-admin">
            <span>{agent.role === 'admin' ? 'Admin' : 'Analytics'}</span>
          </a>
        )}
        {props.extra}
        <span class="me" title={t.signedInAs(agent.name)}>
          <Avatar id={agent.id} name={agent.name} size="sm" />
          <span class="me-name">{agent.name}</span>
        </span>
        <button type="button" class="btn btn-ghost" onClick={props.onLogout} aria-label={t.logout}>
          <LogoutIcon />
          <span>{t.logout}</span>
        </button>
      </div>
    </header>
  );
}

// ==================================================================== sidebar

const TAB_LABEL: Record<InboxTab, string> = { unassigned: t.tabUnassigned, mine: t.tabMine, all: t.tabAll };
const EMPTY_TEXT: Record<InboxTab, string> = { unassigned: t.emptyUnassigned, mine: t.emptyMine, all: t.emptyAll };

function moveFocus(e: KeyboardEvent, container: HTMLElement | null, selector: string, horizontal = false) {
  if (!container) return;
  const keys = horizontal ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
  if (![...keys, 'Home', 'End'].includes(e.key)) return;
  const items = Array.from(container.querySelectorAll<HTMLElement>(selector));
  if (items.length === 0) return;
  const i = items.indexOf(document.activeElement as HTMLElement);
  let next = i;
  if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = items.length - 1;
  else if (e.key === keys[0]) next = i <= 0 ? items.length - 1 : i - 1;
  else next = i < 0 || i >= items.length - 1 ? 0 : i + 1;
  e.preventDefault();
  items[next]?.focus();
  if (horizontal) items[next]?.click();
}

export function Sidebar(props: {
  state: State;
  now: number;
  onTab: (tab: InboxTab) => void;
  onStatus: (s: StatusFilter) => void;
  onOpen: (id: string) => void;
  onMore: () => void;
  /** Inbox search (search.tsx): the box, and its matches (null: no search shown, the tabs are). */
  search?: { box: ComponentChildren; found: { q: string; items: ConversationView[] } | null };
}) {
  const { state } = props;
  const list = conversationsIn(state, state.tab, state.status);
  const found = props.search?.found ?? null;
  const tabsRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const page = state.lists[`${state.tab}:${state.status}`];
  const item = (c: ConversationView) => (
    <ConversationItem
      key={c.id}
      c={c}
      meId={state.meId}
      unread={state.unread[c.id] ?? 0}
      active={state.openId === c.id}
      typing={!!state.typing[c.id]}
      now={props.now}
      onOpen={props.onOpen}
    />
  );

  return (
    <nav class="sidebar" aria-label={t.inbox}>
      <div class="sidebar-head">
        <h2 class="sidebar-title">{t.inbox}</h2>
        <div class="segmented" role="group" aria-label={t.statusFilter}>
          {(['open', 'resolved'] as const).map((s) => (
            <button
              type="button"
              key={s}
              class="segment"
              aria-pressed={state.status === s}
              onClick={() => props.onStatus(s)}
            >
              {s === 'open' ? t.statusOpen : t.statusResolved}
            </button>
          ))}
        </div>
      </div>
      {props.search?.box}
      {found && (
        <div class="list-wrap" id="search-results">
          <p class="muted search-summary" role="status">
            {t.searchResults(found.items.length, found.q)}
          </p>
          <ul class="conv-list" aria-label={t.searchResultsLabel}>
            {found.items.map((c) => item(state.conversations[c.id] ?? c))}
          </ul>
        </div>
      )}
      <div class="tabs" hidden={!!found} role="tablist" aria-label={t.inboxTabs} ref={tabsRef} onKeyDown={(e) => moveFocus(e, tabsRef.current, '[role=tab]', true)}>
        {TABS.map((tab) => {
          const sum = tabSummary(state, tab, state.status);
          const selected = state.tab === tab;
          const count = `${sum.count}${sum.more ? '+' : ''}`;
          const label = [TAB_LABEL[tab], t.conversationCount(count), sum.unread ? t.unreadConversations(sum.unread) : ''].filter(Boolean).join(', ');
          return (
            <button
              type="button"
              role="tab"
              key={tab}
              id={`tab-${tab}`}
              class="tab"
              aria-selected={selected}
              aria-controls="conversation-list"
              tabIndex={selected ? 0 : -1}
              aria-label={label}
              onClick={() => props.onTab(tab)}
            >
              <span>{TAB_LABEL[tab]}</span>
              <span class="tab-count" aria-hidden="true">{count}</span>
              {sum.unread > 0 && <span class="tab-unread" aria-hidden="true" />}
            </button>
          );
        })}
      </div>
      <div class="list-wrap" hidden={!!found} role="tabpanel" id="conversation-list" aria-labelledby={`tab-${state.tab}`}>
        {list.length === 0 && page?.fetched && (
          <div class="empty-list">
            <InboxIcon />
            <p>{state.status === 'resolved' ? t.emptyResolved : EMPTY_TEXT[state.tab]}</p>
          </div>
        )}
        {list.length === 0 && !page?.fetched && <p class="muted list-loading">{t.loading}</p>}
        <ul class="conv-list" ref={listRef} aria-label={t.conversations} onKeyDown={(e) => moveFocus(e, listRef.current, '.conv-item')}>
          {list.map(item)}
        </ul>
        {page?.nextCursor && (
          <button type="button" class="btn btn-secondary btn-block load-more" onClick={props.onMore}>
            {t.loadMore}
          </button>
        )}
      </div>
    </nav>
  );
}

function ConversationItem(props: {
  c: ConversationView;
  meId: string;
  unread: number;
  active: boolean;
  typing: boolean;
  now: number;
  onOpen: (id: string) => void;
}) {
  const { c } = props;
  const name = visitorName(c.visitor, t);
  const time = c.lastMessage?.createdAt ?? c.updatedAt;
  const assignee = c.assignee ? (c.assignee.id === props.meId ? t.you : c.assignee.name) : t.unassigned;
  return (
    <li>
      <button
        type="button"
        class={`conv-item${props.active ? ' is-active' : ''}${props.unread ? ' is-unread' : ''}`}
        aria-current={props.active ? 'true' : undefined}
        onClick={() => props.onOpen(c.id)}
      >
        <Avatar id={c.visitor.id} name={name} />
        <span class="conv-main">
          <span class="conv-top">
            <span class="conv-name">{name}</span>
            <time class="conv-time" dateTime={time} title={fullDateTime(time, locale)}>
              {relativeTime(time, props.now, t, locale)}
            </time>
          </span>
          <span class="conv-preview">{props.typing ? <em>{t.visitorTyping}</em> : preview(c, t, props.meId)}</span>
          <span class="conv-bottom">
            <span class={`conv-assignee${c.assignee ? '' : ' is-none'}`}>
              <UserIcon />
              {assignee}
            </span>
            {props.unread > 0 && (
              <span class="badge" aria-label={t.unreadMessages(props.unread)}>
                {props.unread > 99 ? '99+' : props.unread}
              </span>
            )}
          </span>
        </span>
      </button>
    </li>
  );
}

// ==================================================================== conversation

export function ConversationPane(props: {
  conversation: ConversationView | undefined;
  thread: Thread | undefined;
  me: AgentView;
  visitorTyping: boolean;
  busy: boolean;
  now: number;
  onAssign: (agentId: string | null) => void;
  onResolve: () => void;
  onReopen: () => void;
  onSend: (conversationId: string, body: string, internal: boolean) => void;
  onTyping: (conversationId: string, on: boolean) => void;
  /** Contact centre: the transfer control, canned responses and their variables. */
  transfer?: ComponentChildren;
  canned?: CannedResponseView[];
  onAttach?: (conversationId: string, file: File) => void;
}) {
  const c = props.conversation;
  if (!c) {
    return (
      <main class="pane pane-empty">
        <div class="empty-state">
          <InboxIcon />
          <h2>{t.selectConversation}</h2>
          <p class="muted">{t.selectConversationHint}</p>
        </div>
      </main>
    );
  }
  const name = visitorName(c.visitor, t);
  const mine = c.assignee?.id === props.me.id;
  return (
    <main class="pane" aria-labelledby="conv-title">
      <header class="pane-head">
        <div class="pane-title">
          <Avatar id={c.visitor.id} name={name} />
          <div>
            <h2 id="conv-title">{name}</h2>
            <div class="pane-sub">
              <span class={`pill pill-${c.status}`}>{c.status === 'open' ? t.stateOpen : t.stateResolved}</span>
              <span class="muted">{mine ? t.assignedToYou : c.assignee ? t.assignedTo(c.assignee.name) : t.unassigned}</span>
              {c.team && <span class="pill pill-team">{c.team.name}</span>}
              {c.botActive && <span class="pill pill-bot">{t.waitingBot}</span>}
              {c.channel === 'offline' && <span class="pill pill-offline">{t.offlineMessage}</span>}
            </div>
          </div>
        </div>
        <div class="pane-actions">
          {c.status === 'open' && props.transfer}
          {!mine && (
            <button type="button" class="btn btn-secondary" disabled={props.busy} onClick={() => props.onAssign(props.me.id)} aria-label={t.assignToMeLabel}>
              <UserIcon />
              <span>{t.assignToMe}</span>
            </button>
          )}
          {c.assignee && (
            <button type="button" class="btn btn-secondary" disabled={props.busy} onClick={() => props.onAssign(null)} aria-label={t.unassignLabel}>
              {t.unassign}
            </button>
          )}
          {c.status === 'open' ? (
            <button type="button" class="btn btn-success" disabled={props.busy} onClick={props.onResolve} aria-label={t.resolveLabel}>
              <CheckIcon />
              <span>{t.resolve}</span>
            </button>
          ) : (
            <button type="button" class="btn btn-primary" disabled={props.busy} onClick={props.onReopen} aria-label={t.reopenLabel}>
              <ReopenIcon />
              <span>{t.reopen}</span>
            </button>
          )}
        </div>
      </header>
      <MessageLog thread={props.thread} meId={props.me.id} visitorName={name} visitorId={c.visitor.id} visitorRead={c.receipts?.visitorRead ?? 0} visitorDelivered={c.receipts?.visitorDelivered ?? 0} />
      <div class="typing-row" aria-live="polite">
        {props.visitorTyping && (
          <span class="typing">
            <span class="dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {t.visitorTyping}
          </span>
        )}
      </div>
      {c.status === 'open' ? (
        <Composer
          conversationId={c.id}
          onSend={props.onSend}
          onTyping={props.onTyping}
          canned={props.canned}
          onAttach={props.onAttach}
          cannedVars={{ visitor: { name: c.visitor.name, email: c.visitor.email }, agent: { name: props.me.name } }}
        />
      ) : (
        <div class="resolved-bar">
          <span>{t.resolvedBanner}</span>
          <button type="button" class="btn btn-primary btn-sm" disabled={props.busy} onClick={props.onReopen} aria-label={t.reopenLabel}>
            {t.reopen}
          </button>
        </div>
      )}
    </main>
  );
}

function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function MessageLog(props: { thread: Thread | undefined; meId: string; visitorName: string; visitorId: string; visitorRead?: number; visitorDelivered?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const messages = props.thread?.messages ?? [];
  const last = messages[messages.length - 1];

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const own = last?.author.kind === 'agent' && last.author.id === props.meId && last.delivery === 'sending';
    if (stick.current || own) el.scrollTop = el.scrollHeight;
  }, [messages.length, last?.id]);

  const onScroll = () => {
    const el = ref.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  const rows: ComponentChildren[] = [];
  let prev: ChatMessage | undefined;
  for (const m of messages) {
    if (!prev || dayKey(prev.createdAt) !== dayKey(m.createdAt)) {
      rows.push(
        <div class="day-sep" key={`d-${m.id}`} role="separator">
          <span>{new Intl.DateTimeFormat(locale, { dateStyle: 'full' }).format(new Date(m.createdAt))}</span>
        </div>,
      );
    }
    const grouped =
      !!prev &&
      prev.author.kind === m.author.kind &&
      prev.author.id === m.author.id &&
      prev.internal === m.internal &&
      Date.parse(m.createdAt) - Date.parse(prev.createdAt) < 5 * 60_000 &&
      dayKey(prev.createdAt) === dayKey(m.createdAt);
    rows.push(<MessageRow key={m.id} m={m} meId={props.meId} grouped={grouped} visitorId={props.visitorId} visitorRead={props.visitorRead} visitorDelivered={props.visitorDelivered} />);
    prev = m;
  }

  return (
    <div class="log" ref={ref} onScroll={onScroll} role="log" aria-live="polite" aria-label={t.messages} tabIndex={0}>
      {!props.thread?.loaded && messages.length === 0 && <p class="muted log-note">{t.loadingMessages}</p>}
      {props.thread?.loaded && messages.length === 0 && <p class="muted log-note">{t.noMessages}</p>}
      {rows}
    </div>
  );
}

function MessageRow(props: { m: ChatMessage; meId: string; grouped: boolean; visitorId: string; visitorRead?: number; visitorDelivered?: number }) {
  const { m } = props;
  // The knowledge-base bot's answers read like an agent's; other system messages are notices.
  if (m.author.kind === 'system' && m.author.id !== 'bot') {
    return (
      <div class="msg-system">
        <span>{m.body}</span>
        <time dateTime={m.createdAt}>{clockTime(m.createdAt, locale)}</time>
      </div>
    );
  }
  const side = m.author.kind === 'visitor' ? 'left' : 'right';
  const own = m.author.kind === 'agent' && m.author.id === props.meId;
  const kind = m.internal ? 'note' : m.author.kind === 'system' ? 'agent bot' : m.author.kind;
  return (
    <div class={`msg msg-${side} msg-${kind}${props.grouped ? ' is-grouped' : ''}`}>
      {side === 'left' && (props.grouped ? <span class="avatar-spacer" /> : <Avatar id={props.visitorId} name={m.author.name || t.visitor} size="sm" />)}
      <div class="msg-col">
        {!props.grouped && (
          <div class="msg-meta">
            {m.internal && (
              <span class="note-label">
                <LockIcon />
                {t.privateNote}
              </span>
            )}
            <span class="msg-author">{own ? t.you : m.author.name || t.visitor}</span>
            <time dateTime={m.createdAt} title={fullDateTime(m.createdAt, locale)}>
              {clockTime(m.createdAt, locale)}
            </time>
          </div>
        )}
        <div class="bubble">
          {m.internal && props.grouped && <span class="visually-hidden">{t.privateNote}: </span>}
          {m.attachment ? <AttachmentLink a={m.attachment} /> : m.body}
        </div>
        {own && (
          <div class={`delivery delivery-${m.delivery}`}>
            {m.delivery === 'sending' && t.sending}
            {m.delivery === 'sent' && !m.internal && (
              <>
                <CheckIcon />
                {m.seq <= (props.visitorRead ?? 0) ? t.readByVisitor : m.seq <= (props.visitorDelivered ?? 0) ? t.deliveredToVisitor : t.sent}
              </>
            )}
            {m.delivery === 'sent' && m.internal && (
              <>
                <CheckIcon />
                {t.sent}
              </>
            )}
            {m.delivery === 'failed' && `${t.failed}${m.failure === 'conversation_closed' ? ` — ${t.errConversationClosed}` : ''}`}
          </div>
        )}
      </div>
    </div>
  );
}

function Composer(props: {
  conversationId: string;
  onSend: (conversationId: string, body: string, internal: boolean) => void;
  onTyping: (conversationId: string, on: boolean) => void;
  canned?: CannedResponseView[];
  cannedVars?: CannedVars;
  onAttach?: (conversationId: string, file: File) => void;
}) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  // Canned responses: typing /shortcut lists matches; Enter or Tab inserts the highlighted one.
  const [pick, setPick] = useState(0);
  const query = cannedQuery(text);
  const suggestions = query !== null && props.canned ? matchCanned(props.canned, query) : [];
  const insertCanned = (c: CannedResponseView) => {
    const body = props.cannedVars ? expandCanned(c.body, props.cannedVars, t.visitor) : c.body;
    setText(body);
    setPick(0);
    ref.current?.focus();
  };
  const [note, setNote] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const stopTimer = useRef<ReturnType<typeof setTimeout>>();
  const typingOn = useRef(false);

  useEffect(() => {
    ref.current?.focus();
    return () => {
      clearTimeout(stopTimer.current);
      if (typingOn.current) props.onTyping(props.conversationId, false);
    };
  }, []);

  // Grow with the content, up to a limit set in CSS.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
  }, [text]);

  const stopTyping = () => {
    clearTimeout(stopTimer.current);
    if (typingOn.current) {
      typingOn.current = false;
      props.onTyping(props.conversationId, false);
    }
  };

  const trimmed = text.trim();
  const over = trimmed.length - LIMITS.maxMessageChars;

  const submit = () => {
    if (!trimmed || over > 0) return;
    props.onSend(props.conversationId, trimmed, note);
    setText('');
    stopTyping();
    ref.current?.focus();
  };

  const onInput = (value: string) => {
    setText(value);
    if (note) return; // the visitor is not told about private notes being written
    if (value.trim()) {
      typingOn.current = true;
      props.onTyping(props.conversationId, true);
      clearTimeout(stopTimer.current);
      stopTimer.current = setTimeout(stopTyping, 4000);
    } else stopTyping();
  };

  return (
    <form
      class={`composer${note ? ' is-note' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div class="composer-modes" role="group" aria-label={t.composerMode}>
        <button type="button" class="mode" aria-pressed={!note} onClick={() => setNote(false)}>
          {t.reply}
        </button>
        <button
          type="button"
          class="mode mode-note"
          aria-pressed={note}
          onClick={() => {
            stopTyping();
            setNote(true);
          }}
        >
          <LockIcon />
          {t.privateNote}
        </button>
      </div>
      {suggestions.length > 0 && (
        <ul class="canned-list" id="canned-list" role="listbox" aria-label={t.cannedSuggestions}>
          {suggestions.map((c, i) => (
            <li
              key={c.id}
              id={`canned-${c.id}`}
              role="option"
              aria-selected={i === Math.min(pick, suggestions.length - 1)}
              class="canned-item"
              onMouseDown={(e) => {
                e.preventDefault();
                insertCanned(c);
              }}
            >
              <code>/{c.shortcut}</code> <span>{c.title}</span>
            </li>
          ))}
        </ul>
      )}
      <label class="visually-hidden" for="composer-input">
        {note ? t.noteLabel : t.replyLabel}
      </label>
      <textarea
        id="composer-input"
        ref={ref}
        rows={2}
        value={text}
        placeholder={note ? t.notePlaceholder : t.replyPlaceholder}
        aria-describedby={over > -200 ? 'composer-count' : undefined}
        role={suggestions.length ? 'combobox' : undefined}
        aria-expanded={suggestions.length ? 'true' : undefined}
        aria-controls={suggestions.length ? 'canned-list' : undefined}
        aria-autocomplete={suggestions.length ? 'list' : undefined}
        aria-activedescendant={suggestions.length ? `canned-${suggestions[Math.min(pick, suggestions.length - 1)]!.id}` : undefined}
        onInput={(e) => onInput(e.currentTarget.value)}
        onBlur={stopTyping}
        onKeyDown={(e) => {
          if (suggestions.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
            return;
          }
          if (suggestions.length && (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey))) {
            e.preventDefault();
            insertCanned(suggestions[Math.min(pick, suggestions.length - 1)]!);
            return;
          }
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <div class="composer-foot">
        {props.onAttach && !note && (
          <>
            <input
              ref={fileRef}
              type="file"
              class="visually-hidden"
              tabIndex={-1}
              aria-hidden="true"
              accept="image/png,image/jpeg,image/gif,image/webp,application/pdf"
              onChange={(e) => {
                const f = e.currentTarget.files?.[0];
                e.currentTarget.value = '';
                if (f) props.onAttach!(props.conversationId, f);
              }}
            />
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => fileRef.current?.click()} aria-label={t.attachFile}>
              <span>{t.attach}</span>
            </button>
          </>
        )}
        <span id="composer-count" class={`count${over > 0 ? ' is-over' : ''}`} aria-live="polite">
          {over > 0 ? t.tooLong(over) : over > -200 ? t.charsLeft(-over) : ''}
        </span>
        <button type="submit" class={`btn ${note ? 'btn-note' : 'btn-primary'}`} disabled={!trimmed || over > 0} aria-label={note ? t.addNoteLabel : t.sendReply}>
          {note ? <LockIcon /> : <SendIcon />}
          <span>{note ? t.addNote : t.send}</span>
        </button>
      </div>
    </form>
  );
}

// ==================================================================== visitor panel

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
  const browser = ua.browser ? `${ua.browser}${ua.version ? ` ${ua.version}` : ''}` : null;
  const browserText = browser && ua.os ? t.on(browser, ua.os) : (browser ?? ua.os);
  const href = safeHttpUrl(v.currentPage);
  const pageText = v.currentPage ? v.currentPage.replace(/^https?:\/\//, '') : null;
  return (
    <aside class="context" aria-label={t.visitorDetails}>
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
            {browserText ? <span title={v.userAgent ?? undefined}>{browserText}</span> : <span class="muted">{t.unknown}</span>}
          </Row>
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

export function EmbedPanel(props: { api: ApiClient; onClose: () => void }) {
  const [snippet, setSnippet] = useState<EmbedSnippet | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<'idle' | 'ok' | 'failed'>('idle');
  const dialog = useRef<HTMLDivElement>(null);
  const closeBtn = useRef<HTMLButtonElement>(null);
  const codeRef = useRef<HTMLPreElement>(null);

  useEffect(() => {
    closeBtn.current?.focus();
    props.api
      .embedSnippet()
      .then(setSnippet)
      .catch((err: unknown) => setError(errorText(err)));
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      props.onClose();
      return;
    }
    if (e.key !== 'Tab' || !dialog.current) return;
    // Keep focus inside the dialog.
    const items = Array.from(dialog.current.querySelectorAll<HTMLElement>('button:not([disabled]), [tabindex="0"]'));
    const first = items[0];
    const lastItem = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      lastItem?.focus();
    } else if (!e.shiftKey && document.activeElement === lastItem) {
      e.preventDefault();
      first?.focus();
    }
  };

  const copy = async () => {
    if (!snippet) return;
    try {
      await navigator.clipboard.writeText(snippet.snippet);
      setCopied('ok');
      setTimeout(() => setCopied('idle'), 2000);
    } catch {
      setCopied('failed');
      const el = codeRef.current;
      if (el) window.getSelection()?.selectAllChildren(el);
    }
  };

  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="embed-title" ref={dialog} onKeyDown={onKeyDown}>
        <header class="dialog-head">
          <h2 id="embed-title">{t.embedTitle}</h2>
          <button type="button" class="btn btn-icon" ref={closeBtn} onClick={props.onClose} aria-label={t.closePanel}>
            <CloseIcon />
          </button>
        </header>
        <p class="muted">{t.embedHelp}</p>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        {!snippet && !error && <p class="muted">{t.loading}</p>}
        {snippet && (
          <>
            <pre class="snippet" ref={codeRef} tabIndex={0}>
              <code>{snippet.snippet}</code>
            </pre>
            <dl class="snippet-meta">
              <Row label={t.loaderUrl}>
                <code>{snippet.loaderUrl}</code>
              </Row>
              <Row label={t.integrity}>
                <code>{snippet.integrity}</code>
              </Row>
            </dl>
            <p class="muted">
              {t.evidenceHelp}{' '}
              <a href="/api/admin/evidence" download="parley-pci-evidence.json">
                {t.evidenceDownload}
              </a>
            </p>
            <div class="dialog-foot">
              <span class="copy-status" role="status" aria-live="polite">
                {copied === 'ok' ? t.copied : copied === 'failed' ? t.copyFailed : ''}
              </span>
              <button type="button" class="btn btn-secondary" onClick={props.onClose}>
                {t.close}
              </button>
              <button type="button" class="btn btn-primary" onClick={copy} aria-label={t.copySnippet}>
                {copied === 'ok' ? <CheckIcon /> : <CopyIcon />}
                <span>{copied === 'ok' ? t.copied : t.copy}</span>
              </button>
            </div>
          </>
        )}
        <CspPanel api={props.api} />
      </div>
    </div>
  );
}

/** A file sent with a message: an image preview, or a download link. */
function AttachmentLink(props: { a: NonNullable<ChatMessage['attachment']> }) {
  const { a } = props;
  return a.type.startsWith('image/') ? (
    <a href={a.url} target="_blank" rel="noopener noreferrer" class="file-preview" aria-label={t.openFile(a.name)}>
      <img src={a.url} alt={a.name} loading="lazy" />
    </a>
  ) : (
    <a href={a.url} target="_blank" rel="noopener noreferrer" class="file-link" download={a.name}>
      {a.name} ({Math.max(1, Math.round(a.size / 1024))} KB)
    </a>
  );
}
