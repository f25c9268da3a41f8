/** The inbox: status filter, search box, tabs (unassigned / mine / all) and the conversation list. */
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import type { ConversationView } from '../../protocol/records.js';
import { Avatar } from './avatar.js';
import { fullDateTime, preview, relativeTime, visitorName } from './format.js';
import { locale, t } from './i18n.js';
import { InboxIcon, UserIcon } from './icons.js';
import { SlaCountdown } from './slaCountdown.js';
import { TABS, conversationsIn, tabSummary, type InboxTab, type State, type StatusFilter } from './state.js';

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
  /** Inbox filters (issue 20, inboxFilter.tsx): their controls, and their list while a filter is on. */
  filter?: { controls: ComponentChildren; list: ComponentChildren | null };
}) {
  const { state } = props;
  const list = conversationsIn(state, state.tab, state.status);
  const found = props.search?.found ?? (props.filter?.list ? { q: '', items: [] } : null);
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
      {props.filter?.controls}
      {props.filter?.list}
      {found && !props.filter?.list && (
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
              onClick={() => props.onTab(tab)}
            >
              {/* The accessible name starts with the visible text: "Mine 3, 3 conversations, 1 unread". */}
              <span>{TAB_LABEL[tab]}</span>
              <span class="tab-count">{count}</span>
              <span class="visually-hidden">, {t.conversationCount(count)}{sum.unread ? `, ${t.unreadConversations(sum.unread)}` : ''}</span>
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
            <SlaCountdown conversationId={c.id} />
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
