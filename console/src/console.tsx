/**
 * The signed-in console: owns the state, the one ReconnectingSocket to /ws/agent and every HTTP call.
 * Rendering lives in the view modules (topBar, sidebar, conversationPane, visitorPanel, …).
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { SessionInfo } from '../../protocol/http.js';
import type { AgentServerFrame } from '../../protocol/realtime.js';
import type { ConversationView, MessageView } from '../../protocol/records.js';
import { CLOSE_FINAL } from '../../protocol/closeCodes.js';
import { LIMITS } from '../../protocol/limits.js';
import { FINAL_SEND_ERRORS, ReconnectingSocket, newClientId } from '../../clients/js/src/reconnectingSocket.js';
import { ApiError, type ApiClient, type ApiErrorCode } from './api.js';
import { errorText } from './app.js';
import { t } from './i18n.js';
import {
  TABS,
  buildLastSeqs,
  conversationsIn,
  initialState,
  maxSeq,
  pendingMessage,
  reducer,
  totalUnread,
  type InboxTab,
  type State,
  type StatusFilter,
} from './state.js';
import { ConversationPane } from './conversationPane.js';
import { Sidebar } from './sidebar.js';
import { TopBar } from './topBar.js';
import { VisitorPanel } from './visitorPanel.js';
import { ContactCard } from './contactCard.js';
import type { AgentPresenceView, CannedResponseView, TeamView } from '../../protocol/contactCentre.js';
import { ContactApi } from './contactApi.js';
import { ContextExtras, LibraryPanel, PresenceToggle, TransferControl } from './contactViews.js';
import { NotificationControls, announceMessage } from './notifications.js';
import { IncidentBanner, mergeIncidents } from './security.js';
import { SearchBox } from './search.js';
import type { IncidentView } from '../../protocol/records.js';
import type { LabelView, MacroView } from '../../protocol/productivity.js';
import { ProductivityApi } from './productivityApi.js';
import { ProductivityBar } from './productivityBar.js';
import { colleaguesIn, useCollision } from './useCollision.js';
import { ShortcutHelp, useShortcuts } from './shortcuts.js';
import { useInboxFilter } from './inboxFilter.js';
import { SlaBreachAlerts } from './slaCountdown.js';
import { loadSla, slaFrame } from './slaStore.js';
import { visitorName } from './format.js';
import { loadReadSeq, saveReadSeq } from './readSeqStore.js';
import { uploadAttachment } from './attachmentUpload.js';

const LIST_PAGE = 50;

function idFromHash(): string | null {
  const m = /^#c=([A-Za-z0-9_.:-]{1,64})$/.exec(location.hash);
  return m ? m[1]! : null;
}

export interface Toast {
  id: number;
  text: string;
}

export function Console(props: { api: ApiClient; session: SessionInfo; onSignedOut: (notice?: string) => void }) {
  const { api, session } = props;
  const me = session.agent;
  const [state, dispatch] = useReducer(reducer, undefined, () => initialState(me.id, loadReadSeq(me.id)));
  const stateRef = useRef<State>(state);
  stateRef.current = state;
  const socketRef = useRef<ReconnectingSocket<AgentServerFrame> | null>(null);
  const [toast, setToast] = useState<Toast | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [found, setFound] = useState<{ q: string; items: ConversationView[] } | null>(null);
  // Contact centre (issue 5): presence, teams, canned responses, the library dialog.
  const contact = useMemo(() => new ContactApi(api), [api]);
  const [presence, setPresence] = useState<AgentPresenceView[]>([]);
  const [teams, setTeams] = useState<TeamView[]>([]);
  const [canned, setCanned] = useState<CannedResponseView[]>([]);
  const [libraryOpen, setLibraryOpen] = useState(false);
  const presenceTimer = useRef<ReturnType<typeof setTimeout>>();
  const refreshPresence = useCallback(() => {
    clearTimeout(presenceTimer.current);
    presenceTimer.current = setTimeout(() => contact.presence().then((r) => setPresence(r.items), () => {}), 300);
  }, [contact]);
  const [incidents, setIncidents] = useState<IncidentView[]>([]);
  const [incidentsHidden, setIncidentsHidden] = useState(false);
  const [busy, setBusy] = useState(false);
  // Agent productivity (issue 20).
  const prod = useMemo(() => new ProductivityApi(() => session.csrfToken), [session.csrfToken]);
  const [labels, setLabels] = useState<LabelView[]>([]);
  const [macros, setMacros] = useState<MacroView[]>([]);
  const [helpOpen, setHelpOpen] = useState(false);
  const activityRef = useRef<(f: Extract<AgentServerFrame, { type: 'activity' }>) => void>(() => {});
  const mentionRef = useRef<(f: Extract<AgentServerFrame, { type: 'mention' }>) => void>(() => {});
  const inflight = useRef(new Set<string>());
  const fetchingConv = useRef(new Set<string>());

  const showError = useCallback((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) return; // App returns to the login screen.
    setToast({ id: Date.now(), text: typeof err === 'string' ? err : errorText(err) });
  }, []);

  // ---------------------------------------------------------------- HTTP loaders

  /** Fetch every message after the highest seq held, following `more`. */
  const loadThread = useCallback(
    async (id: string) => {
      if (inflight.current.has(id)) return;
      inflight.current.add(id);
      try {
        const th = stateRef.current.threads[id];
        let after = th?.loaded ? maxSeq(th.messages) : 0;
        for (;;) {
          const page = await api.listMessages(id, after, LIMITS.historyPageSize);
          dispatch({ type: 'history', conversationId: id, messages: page.items, complete: !page.more });
          const last = page.items[page.items.length - 1];
          if (!page.more || !last) break;
          after = last.seq;
        }
      } catch (err) {
        showError(err);
      } finally {
        inflight.current.delete(id);
      }
    },
    [api, showError],
  );

  const fetchConversation = useCallback(
    async (id: string) => {
      if (fetchingConv.current.has(id)) return;
      fetchingConv.current.add(id);
      try {
        dispatch({ type: 'conversation', conversation: await api.getConversation(id) });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          dispatch({ type: 'conversationGone', id });
          if (stateRef.current.openId === id) dispatch({ type: 'open', id: null });
        }
        showError(err);
      } finally {
        fetchingConv.current.delete(id);
      }
    },
    [api, showError],
  );

  const fetchList = useCallback(
    async (tab: InboxTab, status: StatusFilter, cursor?: string | null) => {
      const since = stateRef.current.eventSeq;
      const page = await api.listConversations({ view: tab, status, limit: LIST_PAGE, cursor });
      dispatch({ type: 'list', tab, status, items: page.items, nextCursor: page.nextCursor, replace: !cursor, since });
    },
    [api],
  );

  /** First page of every open tab (for counts) and of the tab on screen. */
  const refreshLists = useCallback(async () => {
    const { tab, status, openId } = stateRef.current;
    const jobs = TABS.map((v) => fetchList(v, 'open'));
    if (status === 'resolved') jobs.push(fetchList(tab, 'resolved'));
    const results = await Promise.allSettled(jobs);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) showError(failed.reason);
    // The open conversation may have moved on while we were away.
    if (openId) {
      const c = stateRef.current.conversations[openId];
      const th = stateRef.current.threads[openId];
      if (!c) void fetchConversation(openId);
      if (th?.loaded && c && c.lastSeq > maxSeq(th.messages)) void loadThread(openId);
    }
  }, [fetchList, fetchConversation, loadThread, showError]);

  // ---------------------------------------------------------------- realtime

  useEffect(() => {
    let readyCount = 0;
    let wasLive = false;
    /**
     * Conversations whose missed messages are still being fetched page by page (ready/history said
     * `more`) → last seq of the last page: a reconnect resumes them from there (buildLastSeqs), not
     * from newer live messages already held.
     */
    let pageEnds: Record<string, number> = {};
    const nextPage = (conversationId: string, page: readonly MessageView[], more: boolean) => {
      const last = page[page.length - 1];
      if (!more || !last) {
        delete pageEnds[conversationId];
        return;
      }
      pageEnds[conversationId] = last.seq;
      socketRef.current?.notify({ type: 'history', conversationId, afterSeq: last.seq });
    };
    const onFrame = (frame: AgentServerFrame) => {
      const s = stateRef.current;
      switch (frame.type) {
        case 'ready':
          readyCount++;
          void loadSla(api); // SLA countdowns: every (re)connect reloads them
          dispatch({ type: 'messages', messages: frame.messages });
          pageEnds = {};
          for (const id of frame.more ?? []) nextPage(id, frame.messages.filter((m) => m.conversationId === id), true);
          if (readyCount > 1) void refreshLists();
          break;
        case 'conversation':
          dispatch({ type: 'conversation', conversation: frame.conversation });
          break;
        case 'message': {
          const m = frame.message;
          const th = s.threads[m.conversationId];
          const gap = th?.loaded && m.seq > maxSeq(th.messages) + 1;
          dispatch({ type: 'messages', messages: [m] });
          if (m.author.kind === 'visitor' && !m.internal && (m.conversationId !== s.openId || document.visibilityState === 'hidden')) {
            const who = s.conversations[m.conversationId]?.visitor.name || m.author.name || t.visitor;
            announceMessage(who, m.body, () => openConversationRef.current(m.conversationId));
          }
          if (!s.conversations[m.conversationId]) void fetchConversation(m.conversationId);
          if (gap) void loadThread(m.conversationId);
          break;
        }
        case 'ack':
          dispatch({ type: 'messages', messages: [frame.message] });
          break;
        case 'history':
          dispatch({ type: 'history', conversationId: frame.conversationId, messages: frame.messages, complete: !frame.more });
          nextPage(frame.conversationId, frame.messages, frame.more);
          break;
        case 'presence':
          refreshPresence();
          break;
        case 'receipt':
          dispatch({ type: 'receipt', conversationId: frame.conversationId, by: frame.by, deliveredSeq: frame.deliveredSeq, readSeq: frame.readSeq });
          break;
        case 'typing':
          if (frame.from === 'visitor') dispatch({ type: 'typing', conversationId: frame.conversationId, on: frame.on, now: Date.now() });
          break;
        case 'error':
          if (frame.clientId && FINAL_SEND_ERRORS.includes(frame.code)) {
            socketRef.current?.settle(frame.clientId);
            dispatch({ type: 'sendFailed', clientId: frame.clientId, code: frame.code });
            if (frame.code === 'conversation_closed') showError(t.errConversationClosed);
          } else if (!frame.clientId) {
            showError(new ApiError(0, frame.code as ApiErrorCode, frame.message));
          }
          break;
        case 'incident':
          setIncidents((cur) => mergeIncidents(cur, [frame.incident]));
          setIncidentsHidden(false);
          break;
        case 'activity':
          activityRef.current(frame);
          break;
        case 'mention':
          mentionRef.current(frame);
          break;
        case 'sla':
        case 'slaBreach':
          slaFrame(frame);
          break;
        case 'pong':
          break;
      }
    };
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new ReconnectingSocket<AgentServerFrame>({
      url: `${proto}://${location.host}/ws/agent`,
      hello: () => ({ type: 'hello', lastSeqs: buildLastSeqs(stateRef.current, undefined, pageEnds) }),
      onFrame,
      onState: (st, code) => {
        if (st === 'open') {
          wasLive = true;
          dispatch({ type: 'conn', conn: 'live' });
        } else if (st === 'connecting') {
          dispatch({ type: 'conn', conn: wasLive ? 'reconnecting' : 'connecting' });
        } else if (code !== undefined && CLOSE_FINAL.includes(code)) {
          dispatch({ type: 'conn', conn: 'offline' });
          // Credentials no longer valid: confirm over HTTP and return to the login screen.
          api.me().catch((err: unknown) => {
            if (err instanceof ApiError && err.status === 401) props.onSignedOut(t.errSessionExpired);
          });
        } else {
          dispatch({ type: 'conn', conn: wasLive ? 'reconnecting' : 'connecting' });
        }
      },
    });
    socketRef.current = socket;
    void refreshLists();
    refreshPresence();
    contact.teams().then((r) => setTeams(r.items), () => {});
    contact.canned().then((r) => setCanned(r.items), () => {});
    prod.labels().then((r) => setLabels(r.items), () => {});
    prod.macros().then((r) => setMacros(r.items), () => {});
    api
      .incidents()
      .then((r) => setIncidents((cur) => mergeIncidents(cur, r.items)))
      .catch(() => {
        /* the banner fills from incident frames as well */
      });
    const hashId = idFromHash();
    if (hashId) openConversationRef.current(hashId);
    // Wake from sleep / network change: reconnect at once instead of waiting for the backoff.
    const online = () => socket.reconnectNow();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      socket.close();
      socketRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // ---------------------------------------------------------------- timers and persistence

  useEffect(() => {
    const a = setInterval(() => dispatch({ type: 'tick', now: Date.now() }), 2000);
    const b = setInterval(() => setNow(Date.now()), 30_000);
    return () => {
      clearInterval(a);
      clearInterval(b);
    };
  }, []);

  useEffect(() => saveReadSeq(me.id, state.readSeq), [me.id, state.readSeq]);

  const unreadTotal = totalUnread(state);
  useEffect(() => {
    document.title = unreadTotal > 0 ? `(${unreadTotal}) ${t.consoleTitle}` : t.consoleTitle;
  }, [unreadTotal]);

  useEffect(() => {
    if (!toast) return;
    const h = setTimeout(() => setToast((cur) => (cur?.id === toast.id ? null : cur)), 7000);
    return () => clearTimeout(h);
  }, [toast]);

  // ---------------------------------------------------------------- commands

  const openConversation = useCallback(
    (id: string) => {
      dispatch({ type: 'open', id });
      if (location.hash !== `#c=${id}`) history.replaceState(null, '', `#c=${id}`);
      if (!stateRef.current.conversations[id]) void fetchConversation(id);
      void loadThread(id);
    },
    [fetchConversation, loadThread],
  );
  const openConversationRef = useRef(openConversation);
  openConversationRef.current = openConversation;

  const selectTab = useCallback(
    (tab: InboxTab) => {
      dispatch({ type: 'tab', tab });
      const { status, lists } = stateRef.current;
      if (!lists[`${tab}:${status}`]?.fetched) fetchList(tab, status).catch(showError);
    },
    [fetchList, showError],
  );

  const selectStatus = useCallback(
    (status: StatusFilter) => {
      dispatch({ type: 'status', status });
      // Every tab of that status, so each tab's count is right.
      Promise.all(TABS.map((tab) => fetchList(tab, status))).catch(showError);
    },
    [fetchList, showError],
  );

  const loadMore = useCallback(() => {
    const { tab, status, lists } = stateRef.current;
    const cursor = lists[`${tab}:${status}`]?.nextCursor;
    if (cursor) fetchList(tab, status, cursor).catch(showError);
  }, [fetchList, showError]);

  const runAction = useCallback(
    async (fn: () => Promise<ConversationView>) => {
      setBusy(true);
      try {
        dispatch({ type: 'conversation', conversation: await fn() });
      } catch (err) {
        showError(err);
      } finally {
        setBusy(false);
      }
    },
    [showError],
  );

  const send = useCallback(
    (conversationId: string, body: string, internal: boolean) => {
      const socket = socketRef.current;
      if (!socket) return;
      const clientId = newClientId();
      dispatch({
        type: 'pending',
        message: pendingMessage({ clientId, conversationId, body, internal, me: { id: me.id, name: me.name }, now: new Date() }),
      });
      const frame = { type: 'message.send' as const, clientId, conversationId, body, ...(internal ? { internal: true } : {}) };
      socket.send(frame);
    },
    [me.id, me.name],
  );

  const typingSentAt = useRef(0);
  const typing = useCallback((conversationId: string, on: boolean) => {
    const socket = socketRef.current;
    if (!socket) return;
    const nowMs = Date.now();
    if (on && nowMs - typingSentAt.current < 3000) return;
    typingSentAt.current = on ? nowMs : 0;
    socket.notify({ type: 'typing', conversationId, on });
  }, []);

  const logout = useCallback(async () => {
    socketRef.current?.close();
    try {
      await api.logout();
    } catch {
      /* the cookie may already be gone; leave either way */
    }
    history.replaceState(null, '', location.pathname);
    props.onSignedOut();
  }, [api, props]);

  const open = state.openId ? state.conversations[state.openId] : undefined;
  const collision = useCollision(state.openId, (f) => socketRef.current?.notify(f), state.conn === 'live');
  activityRef.current = collision.onActivity;
  mentionRef.current = (f) => {
    const by = f.mention.by.name;
    setToast({ id: Date.now(), text: t.mentionedBy(by) });
    announceMessage(by, t.mentionedBy(by), () => openConversationRef.current(f.mention.conversationId));
  };
  const visibleIds = conversationsIn(state, state.tab, state.status).map((c) => c.id);
  const step = (d: number) => {
    const i = state.openId ? visibleIds.indexOf(state.openId) : -1;
    const next = visibleIds[Math.max(0, Math.min(visibleIds.length - 1, i + d))];
    if (next) openConversation(next);
  };
  const focusComposer = (note: boolean) => {
    if (note) document.querySelector<HTMLButtonElement>('.mode-note')?.click();
    else document.querySelector<HTMLButtonElement>('.composer-modes .mode:not(.mode-note)')?.click();
    document.getElementById('composer-input')?.focus();
  };
  // The filtered list is fetched again when the conversations on screen change.
  const filter = useInboxFilter({ api: prod, labels, meId: me.id, openId: state.openId, onOpen: openConversation, onError: showError, version: Object.keys(state.conversations).length + (open ? Date.parse(open.updatedAt) : 0) });
  useShortcuts({
    next: () => step(1),
    prev: () => step(-1),
    reply: () => focusComposer(false),
    note: () => focusComposer(true),
    assign: () => open && open.status === 'open' && runAction(() => api.assign(open.id, me.id)),
    resolve: () => open && open.status === 'open' && runAction(() => api.resolve(open.id)),
    snooze: () => open && open.status === 'open' && runAction(() => prod.snooze(open.id, null)),
    macro: () => document.getElementById('macro')?.focus(),
    help: () => setHelpOpen(true),
  });
  const myPresence = presence.find((a) => a.id === me.id);

  // Read receipts: the open conversation's messages are seen while this tab is visible.
  const openThreadSeq = state.openId && state.threads[state.openId] ? maxSeq(state.threads[state.openId]!.messages) : 0;
  const readSent = useRef<Record<string, number>>({});
  useEffect(() => {
    const send = () => {
      const id = stateRef.current.openId;
      if (!id || document.visibilityState === 'hidden') return;
      const seq = Math.max(openThreadSeq, stateRef.current.conversations[id]?.lastSeq ?? 0);
      if (seq > (readSent.current[id] ?? 0) && socketRef.current) {
        readSent.current[id] = seq;
        socketRef.current.notify({ type: 'receipt', conversationId: id, readSeq: seq });
      }
    };
    send();
    document.addEventListener('visibilitychange', send);
    return () => document.removeEventListener('visibilitychange', send);
  }, [state.openId, openThreadSeq, state.conn]);
  const thread = state.openId ? state.threads[state.openId] : undefined;


  return (
    <div class="shell">
      <TopBar
        session={session}
        conn={state.conn}
        onLogout={logout}
        extra={
          <>
            <PresenceToggle
              status={myPresence?.chosen ?? 'online'}
              onChange={(status) => {
                // Shown at once; the server's answer (and presence frames) confirm it.
                setPresence((list) => list.map((a) => (a.id === me.id ? { ...a, chosen: status } : a)));
                contact.setPresence({ status }).then(refreshPresence, showError);
              }}
            />
            <NotificationControls />
            <button type="button" class="btn btn-ghost" id="open-library" onClick={() => setLibraryOpen(true)} title={t.libraryOpen}>
              {t.library}
            </button>
          </>
        }
      />
      {!incidentsHidden && <IncidentBanner incidents={incidents} onHide={() => setIncidentsHidden(true)} />}
      <SlaBreachAlerts nameOf={(id) => (state.conversations[id] ? visitorName(state.conversations[id]!.visitor, t) : t.visitor)} onOpen={openConversation} />
      <div class="workspace">
        <Sidebar
          state={state}
          now={now}
          onTab={selectTab}
          onStatus={selectStatus}
          onOpen={openConversation}
          onMore={loadMore}
          filter={filter}
          search={{ box: <SearchBox onSearch={async (q) => (await contact.search(q)).items} onResults={setFound} onError={showError} />, found }}
        />
        <ConversationPane
          key={state.openId ?? 'none'}
          conversation={open}
          thread={thread}
          me={me}
          visitorTyping={!!(state.openId && state.typing[state.openId])}
          busy={busy}
          now={now}
          onAssign={(agentId) => open && runAction(() => api.assign(open.id, agentId))}
          onResolve={() => open && runAction(() => api.resolve(open.id))}
          onReopen={() => open && runAction(() => api.reopen(open.id))}
          onSend={send}
          onTyping={typing}
          canned={canned}
          onAttach={(conversationId, file) =>
            uploadAttachment(session.csrfToken, conversationId, file).then(
              (m) => dispatch({ type: 'messages', messages: [m] }),
              () => showError(t.fileFailed),
            )
          }
          mentionables={presence}
          productivity={
            open && (
              <ProductivityBar
                conversation={open}
                api={prod}
                labels={labels}
                macros={macros}
                colleagues={colleaguesIn(collision.seen, open.id, now)}
                onChanged={(c) => dispatch({ type: 'conversation', conversation: c })}
                onError={showError}
                onInfo={(text) => setToast({ id: Date.now(), text })}
              />
            )
          }
          transfer={
            open && (
              <TransferControl conversation={open} presence={presence} teams={teams} busy={busy} onTransfer={(to) => runAction(() => contact.transfer(open.id, to))} />
            )
          }
        />
        {open && (
          <VisitorPanel conversation={open}>
            <ContextExtras contact={contact} conversation={open} onOpen={openConversation} />
            {open.visitor.contactId && <ContactCard api={api} contactId={open.visitor.contactId} onOpen={openConversation} />}
          </VisitorPanel>
        )}
      </div>
      {toast && (
        <div class="toast" role="alert">
          <span>{toast.text}</span>
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => setToast(null)} aria-label={t.dismiss}>
            {t.dismiss}
          </button>
        </div>
      )}
      {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} />}
      {libraryOpen && (
        <LibraryPanel
          contact={contact}
          isAdmin={me.role === 'admin'}
          canEditCanned={me.role !== 'agent'}
          onCannedChanged={setCanned}
          onClose={() => {
            setLibraryOpen(false);
            document.getElementById('open-library')?.focus();
          }}
        />
      )}
    </div>
  );
}
