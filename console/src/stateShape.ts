/** The shape of the console's state (state.ts changes it): inbox tabs, threads, connection, and its start. */
import type { ConversationView, MessageView } from '../../protocol/records.js';

export type InboxTab = 'unassigned' | 'mine' | 'all';
export type StatusFilter = 'open' | 'resolved';
export type Delivery = 'sending' | 'sent' | 'failed';
export type ConnState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export const TABS: readonly InboxTab[] = ['unassigned', 'mine', 'all'];
/** hello.lastSeqs accepts at most this many conversations. */
export const MAX_LAST_SEQS = 100;
/** A visitor's "typing" state expires on its own after this long without a new frame. */
export const TYPING_TTL_MS = 8000;

export interface ChatMessage extends MessageView {
  delivery: Delivery;
  /** Error code of a failed send. */
  failure?: string;
}

export interface Thread {
  messages: ChatMessage[];
  /** True once the full history has been fetched over HTTP. */
  loaded: boolean;
}

export interface ListPage {
  nextCursor: string | null;
  /** Set after the first fetch of this tab+status. */
  fetched: boolean;
}

export interface State {
  meId: string;
  conversations: Record<string, ConversationView>;
  threads: Record<string, Thread>;
  /** Conversation ids with a thread, most recently opened first (drives hello.lastSeqs). */
  threadOrder: string[];
  unread: Record<string, number>;
  /** Highest seq the agent has seen per conversation (persisted in localStorage). */
  readSeq: Record<string, number>;
  /** Highest visitor-message seq already counted as unread per conversation, so no frame counts twice. */
  countedSeq: Record<string, number>;
  /** conversationId → time (ms) until which the visitor counts as typing. */
  typing: Record<string, number>;
  lists: Record<string, ListPage>;
  tab: InboxTab;
  status: StatusFilter;
  openId: string | null;
  conn: ConnState;
  /** Counts realtime updates; `touched[id]` is the count when conversation id last changed by one. */
  eventSeq: number;
  touched: Record<string, number>;
}

export function initialState(meId: string, readSeq: Record<string, number> = {}): State {
  return {
    meId,
    conversations: {},
    threads: {},
    threadOrder: [],
    unread: {},
    readSeq,
    countedSeq: {},
    typing: {},
    lists: {},
    tab: 'unassigned',
    status: 'open',
    openId: null,
    conn: 'connecting',
    eventSeq: 0,
    touched: {},
  };
}

export const listKey = (tab: InboxTab, status: StatusFilter): string => `${tab}:${status}`;
