/**
 * The console's one ReconnectingSocket to /ws/agent: every server frame becomes state (or a toast, a
 * notification, an incident), missed messages are caught up page by page, and the network coming
 * back reconnects at once.
 */
import { useEffect } from 'preact/hooks';
import type { AgentServerFrame } from '../../protocol/realtime.js';
import type { IncidentView, MessageView } from '../../protocol/records.js';
import { CLOSE_FINAL } from '../../protocol/closeCodes.js';
import { FINAL_SEND_ERRORS, ReconnectingSocket } from '../../clients/js/src/reconnectingSocket.js';
import { ApiError, type ApiClient, type ApiErrorCode } from './api.js';
import { t } from './i18n.js';
import { buildLastSeqs, maxSeq, type Action, type State } from './state.js';
import type { ConsoleLoaders } from './consoleLoaders.js';
import { announceMessage } from './notifications.js';
import { loadSla, slaFrame } from './slaStore.js';
import type { Catalog } from './catalogLists.js';

export interface AgentSocketProps {
  api: ApiClient;
  dispatch: (action: Action) => void;
  stateRef: { current: State };
  socketRef: { current: ReconnectingSocket<AgentServerFrame> | null };
  loaders: ConsoleLoaders;
  showError: (err: unknown) => void;
  refreshPresence: () => void;
  onIncident: (incident: IncidentView) => void;
  activityRef: { current: (f: Extract<AgentServerFrame, { type: 'activity' }>) => void };
  mentionRef: { current: (f: Extract<AgentServerFrame, { type: 'mention' }>) => void };
  openConversationRef: { current: (id: string) => void };
  /** Labels and macros: live frames, and a reload after a reconnect. */
  catalog: Pick<Catalog, 'reload' | 'onFrame'>;
  onSignedOut: (notice?: string) => void;
  /** The first loads, once the socket exists. */
  onStart: () => void;
}

/** Connects once, on mount (the props of that first render are the ones used); closes on unmount. */
export function useAgentSocket(props: AgentSocketProps): void {
  useEffect(() => {
    const { api, dispatch, stateRef, socketRef, showError, refreshPresence, activityRef, mentionRef, openConversationRef } = props;
    const { refreshLists, fetchConversation, loadThread } = props.loaders;
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
          if (readyCount > 1) {
            void refreshLists();
            props.catalog.reload();
          }
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
          props.onIncident(frame.incident);
          break;
        case 'activity':
          activityRef.current(frame);
          break;
        case 'mention':
          mentionRef.current(frame);
          break;
        case 'label':
        case 'macro':
          props.catalog.onFrame(frame);
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
    props.onStart();
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
}
