/**
 * The console's HTTP loaders for the inbox: conversation list pages, one conversation, a thread's
 * messages. Each fetch of a conversation or thread runs once at a time.
 */
import { useCallback, useRef } from 'preact/hooks';
import { LIMITS } from '../../protocol/limits.js';
import { ApiError, type ApiClient } from './api.js';
import { TABS, maxSeq, type Action, type InboxTab, type State, type StatusFilter } from './state.js';

const LIST_PAGE = 50;

export interface ConsoleLoaders {
  loadThread: (id: string) => Promise<void>;
  fetchConversation: (id: string) => Promise<void>;
  fetchList: (tab: InboxTab, status: StatusFilter, cursor?: string | null) => Promise<void>;
  refreshLists: () => Promise<void>;
}

export function useConsoleLoaders(props: { api: ApiClient; dispatch: (action: Action) => void; stateRef: { current: State }; showError: (err: unknown) => void }): ConsoleLoaders {
  const { api, dispatch, stateRef, showError } = props;
  const inflight = useRef(new Set<string>());
  const fetchingConv = useRef(new Set<string>());

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

  return { loadThread, fetchConversation, fetchList, refreshLists };
}
