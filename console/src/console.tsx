/**
 * The signed-in console: owns the state, the one ReconnectingSocket to /ws/agent and every HTTP call.
 * Rendering lives in the view modules (topBar, sidebar, conversationPane, visitorPanel, …); the
 * socket's frames in agentSocket.ts, the inbox loaders in consoleLoaders.ts, read receipts in
 * readReceipts.ts, the toast in toast.tsx.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { SessionInfo } from '../../protocol/http.js';
import type { AgentServerFrame } from '../../protocol/realtime.js';
import type { ConversationView } from '../../protocol/records.js';
import { newClientId, type ReconnectingSocket } from '../../clients/js/src/reconnectingSocket.js';
import { ApiError, type ApiClient } from './api.js';
import { errorText } from './app.js';
import { t } from './i18n.js';
import {
  TABS,
  conversationsIn,
  initialState,
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
import { useCatalog } from './catalogLists.js';
import { ProductivityApi } from './productivityApi.js';
import { ProductivityBar } from './productivityBar.js';
import { colleaguesIn, useCollision } from './useCollision.js';
import { ShortcutHelp, useShortcuts } from './shortcuts.js';
import { useInboxFilter } from './inboxFilter.js';
import { SlaBreachAlerts } from './slaCountdown.js';
import { visitorName } from './format.js';
import { loadReadSeq, saveReadSeq } from './readSeqStore.js';
import { uploadAttachment } from './attachmentUpload.js';
import { useConsoleLoaders } from './consoleLoaders.js';
import { useAgentSocket } from './agentSocket.js';
import { useReadReceipts } from './readReceipts.js';
import { ToastView, useToast } from './toast.js';

function idFromHash(): string | null {
  const m = /^#c=([A-Za-z0-9_.:-]{1,64})$/.exec(location.hash);
  return m ? m[1]! : null;
}

export function Console(props: { api: ApiClient; session: SessionInfo; onSignedOut: (notice?: string) => void }) {
  const { api, session } = props;
  const me = session.agent;
  const [state, dispatch] = useReducer(reducer, undefined, () => initialState(me.id, loadReadSeq(me.id)));
  const stateRef = useRef<State>(state);
  stateRef.current = state;
  const socketRef = useRef<ReconnectingSocket<AgentServerFrame> | null>(null);
  const [toast, setToast] = useToast();
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
  const catalog = useCatalog(prod);
  const { labels, macros } = catalog;
  const [helpOpen, setHelpOpen] = useState(false);
  const activityRef = useRef<(f: Extract<AgentServerFrame, { type: 'activity' }>) => void>(() => {});
  const mentionRef = useRef<(f: Extract<AgentServerFrame, { type: 'mention' }>) => void>(() => {});
  const openConversationRef = useRef<(id: string) => void>(() => {});

  const showError = useCallback((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) return; // App returns to the login screen.
    setToast({ id: Date.now(), text: typeof err === 'string' ? err : errorText(err) });
  }, []);

  const loaders = useConsoleLoaders({ api, dispatch, stateRef, showError });
  const { loadThread, fetchConversation, fetchList, refreshLists } = loaders;

  // ---------------------------------------------------------------- realtime

  useAgentSocket({
    api,
    dispatch,
    stateRef,
    socketRef,
    loaders,
    showError,
    refreshPresence,
    onIncident: (incident) => {
      setIncidents((cur) => mergeIncidents(cur, [incident]));
      setIncidentsHidden(false);
    },
    activityRef,
    mentionRef,
    openConversationRef,
    catalog,
    onSignedOut: props.onSignedOut,
    onStart: () => {
      void refreshLists();
      refreshPresence();
      contact.teams().then((r) => setTeams(r.items), () => {});
      contact.canned().then((r) => setCanned(r.items), () => {});
      catalog.reload();
      api
        .incidents()
        .then((r) => setIncidents((cur) => mergeIncidents(cur, r.items)))
        .catch(() => {
          /* the banner fills from incident frames as well */
        });
      const hashId = idFromHash();
      if (hashId) openConversationRef.current(hashId);
    },
  });

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

  useReadReceipts(state, stateRef, socketRef);
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
      {toast && <ToastView toast={toast} onDismiss={() => setToast(null)} />}
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
