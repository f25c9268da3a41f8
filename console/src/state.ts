/**
 * The console's state and every rule that changes it, as pure functions (unit-tested in
 * state.test.ts). The UI dispatches actions; effects (HTTP, socket) live in console.tsx.
 * The state's shape is stateShape.ts; conversation and message rules are conversationRules.ts and
 * threadMessages.ts, re-exported here so the views import the state from one place.
 */
import type { ConversationView, MessageView } from '../../protocol/records.js';
import { TYPING_TTL_MS, listKey, type ChatMessage, type ConnState, type InboxTab, type State, type StatusFilter, type Thread } from './stateShape.js';
import { inTab, mergeConversation, withMessage } from './conversationRules.js';
import { maxSeq, mergeMessages } from './threadMessages.js';

export * from './stateShape.js';
export * from './conversationRules.js';
export * from './threadMessages.js';

/**
 * Visitor messages in `incoming` that are new and so count as unread: above what the agent read,
 * above what was already counted, and not already in the loaded thread.
 */
function countNewVisitorMessages(state: State, conversationId: string, incoming: readonly MessageView[]): { n: number; upTo: number } {
  const th = state.threads[conversationId];
  const known = new Set(th?.messages.map((m) => m.id));
  let upTo = Math.max(state.readSeq[conversationId] ?? 0, state.countedSeq[conversationId] ?? 0);
  const floor = upTo;
  let n = 0;
  for (const m of incoming) {
    if (m.author.kind !== 'visitor' || known.has(m.id) || m.seq <= floor) continue;
    n++;
    upTo = Math.max(upTo, m.seq);
  }
  return { n, upTo };
}

// ---------------------------------------------------------------- reducer

export type Action =
  | { type: 'conn'; conn: ConnState }
  | { type: 'tab'; tab: InboxTab }
  | { type: 'status'; status: StatusFilter }
  | { type: 'open'; id: string | null }
  | { type: 'conversation'; conversation: ConversationView }
  | { type: 'conversationGone'; id: string }
  | {
      type: 'list';
      tab: InboxTab;
      status: StatusFilter;
      items: ConversationView[];
      nextCursor: string | null;
      /** true for a first page (refresh), false for "load more". */
      replace: boolean;
      /** state.eventSeq when the request was sent: rows changed by realtime events since then are kept. */
      since: number;
    }
  | { type: 'history'; conversationId: string; messages: MessageView[]; complete: boolean }
  | { type: 'messages'; messages: MessageView[] }
  | { type: 'pending'; message: ChatMessage }
  | { type: 'sendFailed'; clientId: string; code: string }
  | { type: 'typing'; conversationId: string; on: boolean; now: number }
  | { type: 'tick'; now: number }
  /** The visitor (or another agent) moved a conversation's read state forward. */
  | { type: 'receipt'; conversationId: string; by: 'visitor' | 'agent'; deliveredSeq: number; readSeq: number };

export function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'conn':
      return state.conn === action.conn ? state : { ...state, conn: action.conn };
    case 'tab':
      return { ...state, tab: action.tab };
    case 'status':
      return { ...state, status: action.status };
    case 'open': {
      if (action.id === null) return { ...state, openId: null };
      const id = action.id;
      const c = state.conversations[id];
      const unread = { ...state.unread };
      delete unread[id];
      return {
        ...state,
        openId: id,
        unread,
        readSeq: c ? { ...state.readSeq, [id]: Math.max(state.readSeq[id] ?? 0, c.lastSeq) } : state.readSeq,
        threadOrder: [id, ...state.threadOrder.filter((x) => x !== id)],
      };
    }
    case 'conversation': {
      const c = mergeConversation(state.conversations[action.conversation.id], action.conversation);
      const eventSeq = state.eventSeq + 1;
      const next = {
        ...state,
        conversations: { ...state.conversations, [c.id]: c },
        eventSeq,
        touched: { ...state.touched, [c.id]: eventSeq },
      };
      if (c.id === state.openId) next.readSeq = { ...state.readSeq, [c.id]: Math.max(state.readSeq[c.id] ?? 0, c.lastSeq) };
      return next;
    }
    case 'conversationGone': {
      const conversations = { ...state.conversations };
      delete conversations[action.id];
      return { ...state, conversations };
    }
    case 'list':
      return applyList(state, action);
    case 'history': {
      const th = state.threads[action.conversationId] ?? { messages: [], loaded: false };
      const messages = mergeMessages(th.messages, action.messages);
      const thread: Thread = { messages, loaded: th.loaded || action.complete };
      let next: State = { ...state, threads: { ...state.threads, [action.conversationId]: thread } };
      if (!next.threadOrder.includes(action.conversationId)) next.threadOrder = [...next.threadOrder, action.conversationId];
      const last = action.messages[action.messages.length - 1];
      const c = next.conversations[action.conversationId];
      if (c && last) next.conversations = { ...next.conversations, [c.id]: withMessage(c, last) };
      if (action.conversationId === state.openId) next = markRead(next, action.conversationId);
      return next;
    }
    case 'messages': {
      if (action.messages.length === 0) return state;
      const eventSeq = state.eventSeq + 1;
      const touched = { ...state.touched };
      for (const m of action.messages) touched[m.conversationId] = eventSeq;
      return applyMessages({ ...state, eventSeq, touched }, action.messages);
    }
    case 'pending': {
      const id = action.message.conversationId;
      const th = state.threads[id] ?? { messages: [], loaded: false };
      return {
        ...state,
        threads: { ...state.threads, [id]: { ...th, messages: [...th.messages, action.message] } },
      };
    }
    case 'sendFailed': {
      for (const [id, th] of Object.entries(state.threads)) {
        const i = th.messages.findIndex((m) => m.delivery === 'sending' && m.clientId === action.clientId);
        if (i < 0) continue;
        const messages = th.messages.slice();
        messages[i] = { ...messages[i]!, delivery: 'failed', failure: action.code };
        return { ...state, threads: { ...state.threads, [id]: { ...th, messages } } };
      }
      return state;
    }
    case 'typing': {
      const typing = { ...state.typing };
      if (action.on) typing[action.conversationId] = action.now + TYPING_TTL_MS;
      else delete typing[action.conversationId];
      return { ...state, typing };
    }
    case 'receipt': {
      const c = state.conversations[action.conversationId];
      if (!c) return state;
      const r = c.receipts ?? { visitorDelivered: 0, visitorRead: 0, agentDelivered: 0, agentRead: 0 };
      const receipts =
        action.by === 'visitor'
          ? { ...r, visitorDelivered: Math.max(r.visitorDelivered, action.deliveredSeq), visitorRead: Math.max(r.visitorRead, action.readSeq) }
          : { ...r, agentDelivered: Math.max(r.agentDelivered, action.deliveredSeq), agentRead: Math.max(r.agentRead, action.readSeq) };
      return { ...state, conversations: { ...state.conversations, [c.id]: { ...c, receipts } } };
    }
    case 'tick': {
      const expired = Object.entries(state.typing).filter(([, until]) => until <= action.now);
      if (expired.length === 0) return state;
      const typing = { ...state.typing };
      for (const [id] of expired) delete typing[id];
      return { ...state, typing };
    }
  }
}

function markRead(state: State, id: string): State {
  const c = state.conversations[id];
  const th = state.threads[id];
  const seq = Math.max(c?.lastSeq ?? 0, th ? maxSeq(th.messages) : 0, state.readSeq[id] ?? 0);
  const unread = { ...state.unread };
  delete unread[id];
  return { ...state, unread, readSeq: { ...state.readSeq, [id]: seq } };
}

function applyMessages(state: State, messages: readonly MessageView[]): State {
  if (messages.length === 0) return state;
  const byConv = new Map<string, MessageView[]>();
  for (const m of messages) {
    const arr = byConv.get(m.conversationId) ?? [];
    arr.push(m);
    byConv.set(m.conversationId, arr);
  }
  let next = state;
  for (const [id, msgs] of byConv) {
    const fresh = countNewVisitorMessages(next, id, msgs);
    if (fresh.n > 0) next = { ...next, countedSeq: { ...next.countedSeq, [id]: fresh.upTo } };
    const th = next.threads[id];
    const threads = th ? { ...next.threads, [id]: { ...th, messages: mergeMessages(th.messages, msgs) } } : next.threads;
    let c = next.conversations[id];
    if (c) for (const m of msgs) c = withMessage(c, m);
    next = {
      ...next,
      threads,
      conversations: c ? { ...next.conversations, [id]: c } : next.conversations,
    };
    // A visitor message also ends their typing indicator.
    if (msgs.some((m) => m.author.kind === 'visitor') && next.typing[id]) {
      const typing = { ...next.typing };
      delete typing[id];
      next = { ...next, typing };
    }
    if (id === next.openId) next = markRead(next, id);
    else if (fresh.n > 0) next = { ...next, unread: { ...next.unread, [id]: (next.unread[id] ?? 0) + fresh.n } };
  }
  return next;
}

/**
 * Apply a page of a conversation list. A first page that is also the last (nextCursor null) is the
 * complete truth for that tab: conversations we believed were in it but are absent are dropped
 * (unless open or on screen for another reason), so a reconnect cannot leave stale rows behind.
 */
function applyList(state: State, a: Extract<Action, { type: 'list' }>): State {
  const conversations = { ...state.conversations };
  const unread = { ...state.unread };
  const countedSeq = { ...state.countedSeq };
  const seen = new Set<string>();
  for (const item of a.items) {
    seen.add(item.id);
    const c = mergeConversation(conversations[item.id], item);
    conversations[item.id] = c;
    // Unread on first sight: the visitor spoke last and the agent has not read up to there.
    if (
      c.id !== state.openId &&
      !unread[c.id] &&
      c.lastMessage?.author.kind === 'visitor' &&
      c.lastSeq > (state.readSeq[c.id] ?? 0)
    ) {
      unread[c.id] = 1;
      countedSeq[c.id] = Math.max(countedSeq[c.id] ?? 0, c.lastSeq);
    }
  }
  if (a.replace && a.nextCursor === null) {
    for (const c of Object.values(state.conversations)) {
      if (seen.has(c.id) || c.id === state.openId || (state.touched[c.id] ?? 0) > a.since) continue;
      if (inTab(c, a.tab, a.status, state.meId)) delete conversations[c.id];
    }
  }
  const key = listKey(a.tab, a.status);
  return {
    ...state,
    conversations,
    unread,
    countedSeq,
    lists: { ...state.lists, [key]: { nextCursor: a.nextCursor, fetched: true } },
  };
}
