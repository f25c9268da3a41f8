/** Conversation summaries in the console's state: which tab each belongs in, their order, merging fresher copies, tab counts. */
import type { ConversationView, MessageView } from '../../protocol/records.js';
import { listKey, type InboxTab, type State, type StatusFilter } from './stateShape.js';

// ---------------------------------------------------------------- conversations

/** Does a conversation belong in a tab, seen by agent `meId`? Computed client-side from status and assignee. */
export function inTab(c: ConversationView, tab: InboxTab, status: StatusFilter, meId: string): boolean {
  if (c.status !== status) return false;
  // A snoozed conversation leaves the open lists until it wakes (issue 20).
  if (status === 'open' && c.snoozed) return false;
  if (tab === 'unassigned') return c.assignee === null;
  if (tab === 'mine') return c.assignee?.id === meId;
  return true;
}

/** Newest activity first; ties broken by id so the order is stable. */
export function activityTime(c: ConversationView): string {
  const m = c.lastMessage?.createdAt;
  return m && m > c.updatedAt ? m : c.updatedAt;
}

export function conversationsIn(state: State, tab: InboxTab, status: StatusFilter): ConversationView[] {
  return Object.values(state.conversations)
    .filter((c) => inTab(c, tab, status, state.meId))
    .sort((a, b) => {
      const ta = activityTime(a);
      const tb = activityTime(b);
      return ta < tb ? 1 : ta > tb ? -1 : a.id < b.id ? -1 : 1;
    });
}

/**
 * Merge a fresher copy of a conversation. The copy with the later updatedAt wins for status and
 * assignee; lastSeq/lastMessage only ever move forward (a stale list page must not roll them back).
 */
export function mergeConversation(old: ConversationView | undefined, incoming: ConversationView): ConversationView {
  if (!old) return incoming;
  const base = incoming.updatedAt >= old.updatedAt ? incoming : old;
  const last = (incoming.lastSeq ?? 0) >= (old.lastSeq ?? 0) ? incoming : old;
  return { ...base, lastSeq: last.lastSeq, lastMessage: last.lastMessage ?? base.lastMessage };
}

/**
 * Reflect a new message in the conversation summary (preview, lastSeq; its activity time is
 * activityTime's). `updatedAt` stays the server's: it versions status and assignee
 * (mergeConversation), and the server moves it for a message only once a second, so a transfer's own
 * system message, a millisecond after the transfer, must not make the transfer's view look stale.
 */
export function withMessage(c: ConversationView, m: MessageView): ConversationView {
  if (m.seq < c.lastSeq || (c.lastMessage && c.lastMessage.seq >= m.seq)) return c;
  return { ...c, lastSeq: Math.max(c.lastSeq, m.seq), lastMessage: m };
}

// ---------------------------------------------------------------- derived

export interface TabSummary {
  count: number;
  /** More conversations exist on the server than are loaded. */
  more: boolean;
  unread: number;
}

export function tabSummary(state: State, tab: InboxTab, status: StatusFilter = 'open'): TabSummary {
  const list = conversationsIn(state, tab, status);
  return {
    count: list.length,
    more: !!state.lists[listKey(tab, status)]?.nextCursor,
    unread: list.filter((c) => (state.unread[c.id] ?? 0) > 0).length,
  };
}

export function totalUnread(state: State): number {
  return Object.values(state.unread).reduce((a, b) => a + b, 0);
}
